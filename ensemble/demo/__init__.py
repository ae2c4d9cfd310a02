"""Demo data: two offices of the Saint-Omer area, their staff and invented partners."""
