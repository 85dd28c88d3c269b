"""docs/: the committed reference is what cprules.docs generates, and its links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cprules
from cprules.case import EVENT_MODELS
from cprules.docs import DOCS_DIR, SECTIONS, main, render_page, stale_pages
from cprules.findings import Severity, Status

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(DOCS_DIR.glob("*.md"))


def test_the_committed_pages_are_what_the_generator_makes() -> None:
    # if this fails, a model, schema, command or reader changed: run  python -m cprules.docs --write
    assert PAGES
    assert [str(page) for page in stale_pages()] == []


def test_check_and_write_report_what_they_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["--check"]) == 0
    page = tmp_path / "page.md"
    page.write_text("# x\n\n<!-- generated: limits -->\nout of date\n<!-- end: limits -->\n")
    monkeypatch.setattr("cprules.docs.DOCS_DIR", tmp_path)
    assert main(["--check"]) == 1
    assert main(["--write"]) == 0
    assert "out of date" not in page.read_text() and "100,000 events" in page.read_text()
    assert main(["--check"]) == 0
    assert main([]) == 2


def test_an_unknown_section_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="no generated section 'nonsense'"):
        render_page("<!-- generated: nonsense -->\n<!-- end: nonsense -->\n")


def test_every_section_is_on_some_page() -> None:
    marks = re.compile(r"<!-- generated: ([a-z0-9-]+) -->")
    used = {name for page in PAGES for name in marks.findall(page.read_text())}
    assert used == set(SECTIONS)


def test_the_reference_covers_every_event_type_status_severity_and_public_name() -> None:
    case_page = (DOCS_DIR / "case-format.md").read_text()
    assert all(f"### `{kind}`" in case_page for kind in EVENT_MODELS)
    statuses = (DOCS_DIR / "statuses.md").read_text()
    assert all(f"| `{status.value}` |" in statuses for status in Status)
    assert all(f"| `{severity.value}` |" in statuses for severity in Severity)
    api = (DOCS_DIR / "api.md").read_text()
    assert all(f"`cprules.{name}`" in api for name in cprules.__all__ if name != "__version__")


def _anchors(text: str) -> set[str]:
    """GitHub's anchors for a page's headings."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE):
        found.add(re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-"))
    return found


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda page: page.name)
def test_links_between_pages_resolve(page: Path) -> None:
    text = page.read_text()
    for target, anchor in re.findall(r"\]\(([A-Za-z0-9_./-]*\.md)?(?:#([a-z0-9_-]+))?\)", text):
        if not target and not anchor:
            continue
        linked = (page.parent / target).resolve() if target else page
        assert linked.is_file(), f"{page.name}: no {target}"
        if anchor:
            assert anchor in _anchors(linked.read_text()), f"{page.name}: no #{anchor} in {linked.name}"


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda page: page.name)
def test_the_reference_cites_no_document_a_user_does_not_have(page: Path) -> None:
    assert "SPEC" not in page.read_text()


def test_the_changelog_has_an_unreleased_section_and_one_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    version = cprules.__version__
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE)
