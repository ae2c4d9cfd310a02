// The directory's map (Leaflet, served from /static/vendor/leaflet/): one marker per result of
// the page, read from the JSON data block beside the map. Without JavaScript the section stays
// hidden and the list above says the same.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("directory-map");
  const source = document.getElementById("directory-map-data");
  if (!element || !source || typeof L === "undefined") return;
  const places = JSON.parse(source.textContent);
  if (!places.length) return;
  document.getElementById("directory-map-section").hidden = false;

  const map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  const points = places.map((place) => {
    const marker = L.marker([place.lat, place.lng], { title: place.name, alt: place.name }).addTo(map);
    const content = document.createElement("div");
    const link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    const category = document.createElement("div");
    category.textContent = place.category;
    content.append(link, category);
    marker.bindPopup(content, { closeButton: true });
    marker.on("popupopen", () => {
      const close = element.querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", element.dataset.close);
    });
    return [place.lat, place.lng];
  });
  map.fitBounds(points, { padding: [32, 32], maxZoom: 15 });
});
