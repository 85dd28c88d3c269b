"""Pages for managers and auditors: one case as a timeline, a caseload as a compliance page.

Each is a pure function from cprules' own results to the text of one self-contained HTML page
(inline SVG and CSS; no script; nothing loaded from anywhere), rendered from templates shipped
in the package with Jinja2, autoescaped (case ids, event ids, titles and citations are data,
never markup).

>>> import cprules
>>> from datetime import date
>>> from cprules.summary import ComplianceSummary
>>> pack = cprules.load_pack("england")
>>> summary = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1))
>>> render_caseload(summary).startswith("<!DOCTYPE html>")
True
"""

from cprules.pages.caseload import render_caseload
from cprules.pages.timeline import render_timeline, timeline_page

__all__ = ["render_caseload", "render_timeline", "timeline_page"]
