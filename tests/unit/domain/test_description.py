"""Description conversion: store HTML → TikTok's description subset, text kept, images re-hosted, limits held."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from feedbridge.domain.description import (
    HostedImage,
    check_description,
    convert_description,
    description_text,
    parse_description,
    render_description,
)
from feedbridge_sandbox.shared import shared_dir

SHARED = shared_dir()


def fake_upload(url: str) -> HostedImage:
    """Stands in for Upload Product Image: a TikTok-looking URL and a size."""
    digest = hashlib.sha1(url.encode()).hexdigest()[:16]
    return HostedImage(f"https://p16-oec-va.ibyteimg.com/tos-maliva-i/{digest}~tplv-origin-jpeg.jpeg?from=1432613627",
                       800, 600)


def words(text: str) -> list[str]:
    """Word tokens a reader sees, ignoring characters TikTok rejects (emojis, controls)."""
    kept = "".join(
        ch for ch in text
        if not (0x1F000 <= ord(ch) <= 0x1FAFF or 0x2600 <= ord(ch) <= 0x27BF or 0x2B00 <= ord(ch) <= 0x2BFF
                or ord(ch) in (0x200D, 0x20E3, 0xFE0E, 0xFE0F) or 0xE0000 <= ord(ch) <= 0xE007F
                or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"))
        or ch in "\t\n\r\f"
    )
    return re.findall(r"\w+", kept)


def matched_prefix(source: list[str], target: list[str]) -> int:
    """How many leading `source` tokens appear, in order, in `target` (greedy subsequence match)."""
    i = 0
    for token in target:
        if i < len(source) and source[i] == token:
            i += 1
    return i


def assert_text_kept(original_html: str, result_html: str) -> None:
    source, target = words(description_text(original_html)), words(description_text(result_html))
    assert matched_prefix(source, target) == len(source), (source, target)


def img_srcs(html: str) -> list[str]:
    return [n.attributes.get("src") or "" for n in LexborHTMLParser(html, is_fragment=True).css("img")] if html else []


# --- rules, one by one -------------------------------------------------------------------------------------

def test_paragraphs_bold_italic_and_line_breaks_are_kept():
    result = convert_description("<p>Soft <b>cotton</b>, <i>slim</i> <u>fit</u><br>Machine wash</p>")
    assert result.html == "<p>Soft <strong>cotton</strong>, <em>slim</em> <u>fit</u><br/>Machine wash</p>"


def test_headings_become_bold_paragraphs():
    assert convert_description("<h2>Care</h2>Wash cold").html == "<p><strong>Care</strong></p><p>Wash cold</p>"


def test_divs_spans_and_fonts_become_plain_paragraphs():
    html = '<div class="x" style="color:red"><span>Hand <font color=red>made</font></span></div><div>In UK</div>'
    assert convert_description(html).html == "<p>Hand made</p><p>In UK</p>"


def test_unordered_lists_stay_lists_and_nested_bullets_are_flattened():
    html = "<ul><li>Cotton<ul><li>Organic</li></ul></li><li>Blue</li></ul>"
    assert convert_description(html).html == "<ul><li>Cotton</li><li>Organic</li><li>Blue</li></ul>"


def test_ordered_list_items_keep_their_numbers_as_text():
    html = '<ol start="3"><li>Unpack</li><li>Assemble</li></ol><ol type="a"><li>x</li><li>y</li></ol>'
    assert convert_description(html).html == "<p>3. Unpack</p><p>4. Assemble</p><p>a. x</p><p>b. y</p>"


def test_tables_become_one_cell_line_per_row():
    html = "<table><caption>Sizes</caption><tr><th>Size</th><th>Chest</th></tr><tr><td>S</td><td>36 in</td></tr></table>"
    assert convert_description(html).html == (
        "<p>Sizes</p><p><strong>Size</strong> | <strong>Chest</strong></p><p>S | 36 in</p>"
    )


def test_scripts_styles_and_comments_are_dropped():
    html = "<style>p{color:red}</style><p>Kept</p><script>alert('x')</script><!-- note -->"
    assert convert_description(html).html == "<p>Kept</p>"


def test_embedded_videos_are_removed_with_a_warning_but_their_fallback_text_kept():
    result = convert_description('<iframe src="https://youtube.com/x"></iframe><video src=a.mp4>Watch it</video>')
    assert result.html == "<p>Watch it</p>"
    assert any("embed" in w or "video" in w for w in result.warnings)


def test_links_keep_their_words_but_not_the_link():
    assert convert_description('<p>See <a href="https://x.example">size guide</a></p>').html == "<p>See size guide</p>"


def test_images_are_rehosted_with_width_and_height():
    result = convert_description('<p>Front<img src="//cdn.shop.example/a.jpg?v=1&w=2">Back</p>', rehost=fake_upload)
    hosted = fake_upload("https://cdn.shop.example/a.jpg?v=1&w=2")
    assert result.images == ["https://cdn.shop.example/a.jpg?v=1&w=2"]
    assert result.html == f'<p>Front</p><img src="{hosted.url}" width="800" height="600"/><p>Back</p>'


def test_image_sizes_are_scaled_under_4000_pixels_keeping_the_aspect_ratio():
    result = convert_description('<img src="https://a.example/x.jpg">', rehost=lambda u: ("https://t/x.jpg", 8000, 4000))
    assert result.html == '<img src="https://t/x.jpg" width="3999" height="1999"/>'


def test_relative_image_urls_resolve_against_the_store_address():
    parsed = parse_description('<img src="/files/a.png">', base_url="https://shop.example/products/tee")
    assert parsed.images == ("https://shop.example/files/a.png",)


def test_relative_image_urls_without_a_store_address_are_left_out_with_a_warning():
    result = convert_description('<p>x</p><img src="files/a.png"><img src="data:image/png;base64,AAAA">')
    assert result.images == [] and result.html == "<p>x</p>"
    assert any("cannot fetch" in w for w in result.warnings)


def test_lazy_loaded_images_use_their_real_address():
    parsed = parse_description('<img src="data:image/gif;base64,R0l" data-src="https://cdn.example/real.jpg">')
    assert parsed.images == ("https://cdn.example/real.jpg",)


def test_at_most_30_images_are_kept_and_the_rest_reported():
    html = "".join(f'<img src="https://cdn.example/{i}.jpg">' for i in range(35))
    result = convert_description(html, rehost=fake_upload)
    assert len(img_srcs(result.html)) == 30
    assert result.images == [f"https://cdn.example/{i}.jpg" for i in range(30)]
    assert any("5 image" in w for w in result.warnings)


def test_the_same_image_twice_is_uploaded_once():
    calls: list[str] = []

    def upload(url: str) -> HostedImage:
        calls.append(url)
        return fake_upload(url)

    convert_description('<img src="https://a.example/1.jpg"><p>x</p><img src="https://a.example/1.jpg">', rehost=upload)
    assert calls == ["https://a.example/1.jpg"]


def test_images_whose_upload_failed_are_left_out_and_named():
    parsed = parse_description('<img src="https://a.example/1.jpg"><img src="https://a.example/2.jpg">')
    result = render_description(parsed, {"https://a.example/1.jpg": HostedImage("https://t/1.jpg", 10, 10)})
    assert img_srcs(result.html) == ["https://t/1.jpg"]
    assert any("https://a.example/2.jpg" in w for w in result.warnings)


def test_without_an_uploader_images_are_listed_but_not_in_the_html():
    result = convert_description('<p>x</p><img src="https://a.example/1.jpg">')
    assert result.html == "<p>x</p>" and result.images == ["https://a.example/1.jpg"]


def test_long_descriptions_are_cut_at_a_word_boundary_and_say_so():
    html = "<p>" + " ".join(f"word{i}" for i in range(3000)) + "</p>"
    result = convert_description(html, max_chars=10_000)
    assert result.truncated and len(result.html) <= 10_000
    assert result.html.endswith("</p>") and re.search(r" word\d+</p>$", result.html)
    assert any("10,000" in w for w in result.warnings)
    assert check_description(result.html) == []


def test_a_description_within_the_limit_is_not_cut():
    result = convert_description("<p>" + "a " * 4000 + "</p>")
    assert not result.truncated and result.html.count("a") == 4000


def test_a_list_cut_by_the_limit_is_still_closed():
    html = "<ul>" + "".join(f"<li>item number {i}</li>" for i in range(500)) + "</ul>"
    result = convert_description(html, max_chars=1000)
    assert result.truncated and result.html.endswith("</li></ul>") and check_description(result.html, max_chars=1000) == []


def test_emojis_and_control_characters_are_removed_and_counted():
    result = convert_description("<p>Great gift 🎁\u200b\x07 for her ❤️</p>")
    assert result.html == "<p>Great gift for her</p>"
    assert any("emoji" in w for w in result.warnings)


def test_entities_become_characters_and_only_ambiguous_ampersands_are_escaped():
    assert convert_description("<p>Salt &amp; Pepper&nbsp;mill &lt;3 &copy; AT&amp;T</p>").html == (
        "<p>Salt & Pepper mill &lt;3 © AT&T</p>"
    )
    assert convert_description("<p>&amp;copy stays text</p>").html == "<p>&amp;copy stays text</p>"


def test_chinese_text_is_kept_with_a_warning():
    result = convert_description("<p>纯棉 T-shirt</p>")
    assert "纯棉" in result.html and any("Chinese" in w for w in result.warnings)


def test_empty_description_converts_to_empty_html():
    assert convert_description("").html == "" and convert_description("  <p> </p> ").html == ""


def test_preformatted_text_keeps_its_lines():
    assert convert_description("<pre>Line 1\nLine 2</pre>").html == "<p>Line 1<br/>Line 2</p>"


def test_deeply_nested_html_does_not_crash_and_keeps_its_words():
    html = "<div>" * 600 + "deep words" + "</div>" * 600
    result = convert_description(html)
    assert "deep words" in result.html and check_description(result.html) == []


def test_checker_rejects_what_tiktok_rejects():
    assert check_description("<p>ok <strong>fine</strong></p><ul><li>x</li></ul>") == []
    assert check_description("<div>x</div>")
    assert check_description("<p><strong><em>x</em></strong></p>")
    assert check_description('<img src="https://t/x.jpg">')
    assert check_description('<p style="x">y</p>')
    assert check_description("<p>a&nbsp;b</p>")
    assert check_description("<p>open")
    assert check_description("loose text")
    assert check_description("<p>" + "x" * 10_001 + "</p>")
    assert check_description('<img src="a" width="1" height="1"/>' * 31)


# --- every real description we have --------------------------------------------------------------------------

def _description_fields(value: object) -> list[tuple[str, str]]:
    """Every non-empty description-like string field anywhere in a JSON payload."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("description", "descriptionHtml", "body_html", "short_description") \
                    and isinstance(item, str) and item.strip():
                out.append((key, item))
            out.extend(_description_fields(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_description_fields(item))
    return out


def sample_descriptions() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    catalogs = [
        ("samples/shopify/apparel.csv", ["Body (HTML)"]),
        ("samples/shopify/home-and-garden.csv", ["Body (HTML)"]),
        ("samples/woocommerce/sample_products.csv", ["Description", "Short description"]),
    ]
    for rel, columns in catalogs:
        path = SHARED / rel
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                for column in columns:
                    if (row.get(column) or "").strip():
                        # WooCommerce's CSV writes line breaks as the two characters "\n"
                        found.append((f"{rel}:{column}", row[column].replace("\\n", "\n")))
    for path in sorted((SHARED / "specs").glob("*/fixtures/*.json")):
        found.extend((f"{path.name}:{key}", text) for key, text in _description_fields(json.loads(path.read_text())))
    return found


SAMPLES = sample_descriptions()


@pytest.mark.skipif(not SAMPLES, reason="shared sample catalogs not present")
def test_sample_catalogs_hold_descriptions_to_convert():
    assert len(SAMPLES) >= 60


@pytest.mark.parametrize(("where", "html"), SAMPLES, ids=[w for w, _ in SAMPLES])
def test_every_real_sample_description_converts_cleanly(where: str, html: str):
    result = convert_description(html, rehost=fake_upload)
    assert check_description(result.html) == []
    assert not result.truncated
    assert_text_kept(html, result.html)
    assert len(img_srcs(result.html)) == len(result.images) or result.images


REALISTIC = [
    # Shopify theme-editor output with a spec table, meta noise and a YouTube embed
    '<meta charset="utf-8"><p data-mce-fragment="1"><span style="font-weight: 400;">Our <strong>bestselling</strong> '
    'linen shirt.</span></p><h3>Features</h3><ul><li><span>100% linen</span></li><li>Relaxed fit<br></li></ul>'
    '<table width="100%"><tbody><tr><td><b>Size</b></td><td>S</td><td>M</td></tr><tr><td>Chest (cm)</td><td>96'
    '</td><td>102</td></tr></tbody></table><div style="text-align:center"><iframe width="560" height="315" '
    'src="https://www.youtube.com/embed/x" frameborder="0"></iframe></div><p><img src="//cdn.shopify.com/s/files/1/'
    'products/linen.jpg?v=16" alt="Linen shirt" style="float:none"></p>',
    # Word paste into WooCommerce
    '<p class="MsoNormal"><o:p></o:p><span lang="EN-GB" style="mso-ansi-language:EN-GB">Hand-poured soy candle'
    '&nbsp;&ndash; 40h burn</span><o:p></o:p></p><ol><li>Trim wick</li><li>Burn 2h&hellip;</li></ol>',
    # Magento page-builder markup
    '<div data-content-type="row" data-appearance="contained"><div data-element="inner"><div data-content-type='
    '"text"><p>Stainless steel bottle.</p><p><strong>Keeps cold 24h</strong> &amp; hot 12h.</p></div></div></div>',
]


@pytest.mark.parametrize("html", REALISTIC)
def test_realistic_store_markup_converts_cleanly(html: str):
    result = convert_description(html, rehost=fake_upload)
    assert check_description(result.html) == []
    assert_text_kept(html, result.html)


# --- generated HTML ------------------------------------------------------------------------------------------

PIECES = list("abcXYZ019 ,.;!-'\"&<>#") + [
    "\u00a0", "é", "ß", "😀", "\u200b", "\n", "&amp;", "&nbsp;", "&lt;", "&#233;", "&copy", "  ",
]
TAGS = [
    "p", "div", "span", "b", "strong", "i", "em", "u", "a", "h1", "h4", "ul", "ol", "li", "table", "tr", "td",
    "th", "tbody", "caption", "br", "hr", "script", "style", "pre", "blockquote", "iframe", "sup", "section",
    "font", "dl", "dt", "dd", "video", "small", "center", "figure", "figcaption", "label", "code", "noscript",
    "textarea", "select", "option", "thead", "tfoot", "th", "h2", "article", "s", "mark", "object",
]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
images = st.integers(0, 60).map(lambda n: f'<img src="https://img.example/{n}.jpg" alt="x">')


def element(tag: str, children: list[str], attr: str) -> str:
    if tag in ("br", "hr"):
        return f"<{tag}>"
    return f"<{tag}{attr}>{''.join(children)}</{tag}>"


html_fragments = st.recursive(
    texts | images,
    lambda inner: st.builds(
        element,
        st.sampled_from(TAGS),
        st.lists(inner, max_size=4),
        st.sampled_from(["", ' class="c"', ' style="color:red"', ' start="5"', ' type="a"', ' href="https://x"', ' value="7"', ' reversed']),
    ),
    max_leaves=40,
).map(lambda s: s)
documents = st.lists(html_fragments, min_size=0, max_size=6).map("".join)


def visible_images(html: str) -> int:
    dropped = {"script", "style", "iframe", "noscript", "template"}
    count = 0
    for node in LexborHTMLParser(html, is_fragment=True).css("img") if html else []:
        parent, hidden = node.parent, False
        while parent is not None:
            if (parent.tag or "") in dropped:
                hidden = True
            parent = parent.parent
        count += not hidden
    return count


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_html_always_converts_to_valid_tiktok_html_keeping_all_text_and_images(html: str):
    result = convert_description(html, rehost=fake_upload)
    assert check_description(result.html) == []
    assert not result.truncated
    assert_text_kept(html, result.html)
    assert len(img_srcs(result.html)) == min(30, visible_images(html))
    assert sorted(set(img_srcs(result.html))) == sorted({fake_upload(u).url for u in result.images})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.integers(min_value=300, max_value=3000))
def test_generated_html_over_the_limit_is_cut_to_a_valid_prefix(html: str, max_chars: int):
    result = convert_description(html, rehost=fake_upload, max_chars=max_chars)
    assert check_description(result.html, max_chars=max_chars) == []
    source, target = words(description_text(html)), words(description_text(result.html))
    kept = matched_prefix(source, target)
    if result.truncated:
        # everything up to the cut is there, in order; the cut is near the limit (room for at most one block)
        assert len(result.html) > max_chars - 400 or kept == len(source)
        assert any("cut" in w for w in result.warnings)
    else:
        assert kept == len(source)
