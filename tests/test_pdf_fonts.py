"""Titles in Japanese, Korean, Chinese, Arabic and Cyrillic render with real glyphs:
the text extracts back and the Noto fonts are embedded."""

from __future__ import annotations

import pytest

from tests.pdf_helpers import pdf_fonts, pdf_text

TITLES = {
    "ja": "ソフトウェア管理に向けた試験文書",
    "ko": "소프트웨어 공급망 시험 지침",
    "zh": "软件供应链安全测试办法",
    "ru": "Тестовый закон о безопасности цепочек поставок",
    "ar": "قانون اختبار أمن سلسلة التوريد",
}


@pytest.mark.slow
def test_titles_in_five_scripts_render_with_embedded_noto_fonts(
    reports,
    client,
    make_measure,
) -> None:
    for lang, title in TITLES.items():
        make_measure(jurisdiction_code="BR", title_original=title, title_lang=lang, short_name=None)
    response = client.get("/jurisdictions/BR/brief.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for lang in ("ja", "ko", "zh", "ru"):
        assert TITLES[lang] in text, lang
    # Arabic is shaped right to left; its words come back intact (order may follow the layout)
    for word in TITLES["ar"].split():
        assert word in text or word[::-1] in text
    fonts = pdf_fonts(response.data)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    names = " ".join(f["name"] for f in fonts)
    # each CJK title drawn with its own language's font (Chinese not with the Japanese one)
    assert (
        "Noto-Serif-CJK-JP" in names
        and "Noto-Serif-CJK-KR" in names
        and "Noto-Serif-CJK-SC" in names
    )
    assert "Noto-Naskh-Arabic" in names
    # the same titles show on the page, marked with their language
    body = client.get("/jurisdictions/BR/brief").get_data(as_text=True)
    assert f'<span lang="ja">{TITLES["ja"]}</span>' in body
    assert f'<span lang="ar" dir="rtl">{TITLES["ar"]}</span>' in body
