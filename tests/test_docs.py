"""The documentation as a reader meets it: every relative link lands on a file (and a heading, when
it names one), the README stays a short user's guide whose quickstart is the two scripts, the user
docs carry no project bookkeeping, and the licence pyproject.toml names is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: What a user reads; bench/ is included for its links only (its history is dated by design).
USER_DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINKED_DOCS = [*USER_DOCS, *sorted((ROOT / "bench").glob("*.md"))]

FENCE = re.compile(r"^\s*```")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`[^`\n]*`")


def prose_and_code(text: str) -> tuple[str, list[str]]:
    """The text outside fenced code blocks, and the lines inside them."""
    prose: list[str] = []
    code: list[str] = []
    in_code = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_code = not in_code
            continue
        (code if in_code else prose).append(line)
    return "\n".join(prose), code


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces made hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    prose, _ = prose_and_code(path.read_text())
    found: set[str] = set()
    for line in prose.splitlines():
        m = re.match(r"#{1,6} (.+)", line)
        if m:
            base = slug(m.group(1))
            name, n = base, 0
            while name in found:  # GitHub numbers repeated headings
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def relative_links(path: Path) -> list[str]:
    prose, _ = prose_and_code(path.read_text())
    return [t for t in LINK.findall(prose) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_the_slug_is_githubs() -> None:
    assert slug("pouch login / pouch logout") == "pouch-login--pouch-logout"
    assert slug("What `scripts/test.sh` installs") == "what-scriptstestsh-installs"
    assert slug("--format") == "--format"


@pytest.mark.parametrize("doc", LINKED_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = []
    for target in relative_links(doc):
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_docs_folder_is_linked_from_the_readme() -> None:
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in relative_links(README)}
    unlinked = [p.name for p in USER_DOCS[1:] if p.resolve() not in linked]
    assert not unlinked, f"docs/ pages the README does not lead to: {unlinked}"


def test_the_readme_is_at_most_200_lines() -> None:
    assert len(README.read_text().splitlines()) <= 200


def test_the_quickstart_is_exactly_the_two_scripts() -> None:
    text = README.read_text()
    m = re.search(r"^## Quickstart\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, "the README has no Quickstart section"
    _, code = prose_and_code(m.group(1))
    commands = [line.split("#", 1)[0].strip() for line in code]
    assert [c for c in commands if c] == ["scripts/demo.sh", "scripts/test.sh"]
    for script in ("demo.sh", "test.sh"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111, f"scripts/{script} is not executable"


@pytest.mark.parametrize("doc", USER_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_docs_carry_no_stop_or_issue_numbers_nor_dates(doc: Path) -> None:
    """Those belong to the record of runs (bench/HISTORY.md, bench/RESULTS.md); a date in an
    example command or output (in code) is not bookkeeping."""
    prose, _ = prose_and_code(doc.read_text())
    prose = CODE_SPAN.sub("", prose)
    found = re.findall(r"\b(?:[Ss]tops? \d+|[Ii]ssues? \d+|\d{4}-\d{2}-\d{2})\b", prose)
    assert not found, f"{doc.relative_to(ROOT)}: {found}"


def test_the_license_is_apache_2_as_pyproject_says() -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"
    debian = Path("/usr/share/common-licenses/Apache-2.0")
    if debian.exists():  # the canonical text, where the system has it
        assert license_text == debian.read_text()
