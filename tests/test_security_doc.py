"""docs/security.md shows the permission matrix the code enforces."""

from pathlib import Path

from ensemble.accounts.roles import ROLE_PERMISSIONS, Permission, Role, role_requires_mfa

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"


def documented_matrix() -> dict[str, set[str]]:
    text = DOC.read_text()
    table = text.split("<!-- matrix:start -->")[1].split("<!-- matrix:end -->")[0].strip().splitlines()
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    matrix = {}
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        role = cells[0].split("`")[1]
        matrix[role] = {header[i] for i, cell in enumerate(cells) if cell == "✓"}
        matrix[role].add("mfa" if cells[-1] == "obligatoire" else "")
    return matrix


def test_the_documented_matrix_is_the_enforced_one():
    expected = {
        role: {*perms, "mfa" if role_requires_mfa(role) else ""} for role, perms in ROLE_PERMISSIONS.items()
    }
    assert documented_matrix() == expected
    assert set(expected) == set(Role.values)
    assert set().union(*ROLE_PERMISSIONS.values()) == set(Permission.values)
