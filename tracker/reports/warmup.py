"""Imported once by the render server (multiprocessing's fork server) before it forks
render children: loads WeasyPrint, Pango and the fonts once, so each child starts warm.
"""

from weasyprint import HTML

HTML(
    string=(
        '<html lang="en"><body><h1>Warm</h1><p>Text</p><p lang="ja">日本語</p><p lang="ko">한국어</p>'
        '<p lang="zh">中文</p><p lang="ar">عربي</p><p lang="ru">Русский</p>'
        '<table><tr><td>1</td></tr></table></body></html>'
    )
).write_pdf()
