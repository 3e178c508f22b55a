"""Imported once by the render server (multiprocessing's fork server) before it forks
render children: loads WeasyPrint, parses the brief stylesheet and opens every font a
brief uses (Noto Serif and Sans in each weight, the CJK and Arabic faces, DejaVu for the
verification marks), so each child starts as warm as a long-running process.
"""

from pathlib import Path

from tracker.reports.pdf import html_to_pdf

STATIC = Path(__file__).resolve().parents[2] / "static"

SAMPLE = """<!doctype html><html lang="en"><head><title>Warm</title>
<link rel="stylesheet" href="css/print.css"></head><body class="brief">
<section class="cover"><p class="running-meta">m</p><p class="cover-org">Org</p>
<h1 class="cover-title">Title</h1><p class="cover-subtitle">Sub</p>
<dl class="cover-facts"><dt>As of</dt><dd>Date <strong>b</strong> <em>i</em></dd></dl></section>
<nav class="toc"><h2>Contents</h2><ol><li><a href="#s">Summary</a></li></ol></nav>
<section class="exec" id="s"><h2>Summary</h2><ul class="summary"><li>Text</li></ul></section>
<section class="grid-section"><h2>Grid</h2>
<table class="cmp-grid cols-2"><colgroup><col class="c-key">
<col class="c-cell"><col class="c-cell"></colgroup>
<thead><tr><th>J</th><th><span class="col-label">N</span>
<span class="col-title">t</span></th><th>N</th></tr></thead>
<tbody><tr><th>A <span class="code">A</span></th>
<td class="cell"><ul class="cell-list"><li><a href="#m">M</a> <span class="mark">in force</span>
<span class="via">via EU</span>
<span class="vmark vmark-verified">●</span><span class="vmark">◐○</span></li></ul></td>
<td class="cell is-gap"><span class="gap-mark">gap</span></td></tr></tbody></table></section>
<section class="jurisdiction"><h2>J</h2><article class="measure" id="m"><h3 class="measure-title">
<span lang="ja">日本語の題名</span> <span lang="ko">한국어</span> <span lang="zh">中文标题</span>
<span lang="ar" dir="rtl">عنوان عربي</span> <span lang="ru">Русский</span></h3>
<p class="title-en">English</p><p class="facts">Law</p>
<p class="asof"><span class="asof-label">Status</span> t</p>
<p class="verification"><span class="norms-line">Norms</span> <a href="#c1">[1]</a></p></article>
</section>
<section class="sources"><h2>Sources</h2><div class="cite-groups">
<div class="cite-group"><p class="cite-for">M</p>
<ol class="citations"><li id="c1"><span class="cnum">[1]</span> t <a href="https://example.org/">https://example.org/</a>
<span class="nourl">(no address)</span></li></ol></div></div></section></body></html>"""

if STATIC.is_dir():
    html_to_pdf(SAMPLE, STATIC)
