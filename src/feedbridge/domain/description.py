"""Store description HTML → the HTML TikTok Shop accepts in a product description (one direction: store → TikTok).

TikTok renders a small, flat subset well and rejects descriptions with syntax errors, unsupported nesting,
illegal attributes, emojis, control characters, more than 30 `<img>` tags, images not hosted by TikTok, or
more than 10,000 characters (tiktok-shop-api.md §3.2, §6). We therefore emit only:

* `<p>` paragraphs holding text, `<strong>` / `<em>` / `<u>` runs (never nested) and `<br/>`;
* `<ul><li>` bullet lists (one level; nested bullets are flattened into the same list);
* top-level `<img src width height/>` whose `src` is a TikTok-hosted URL.

Everything else keeps its text: headings become bold paragraphs, ordered lists become paragraphs numbered
"1. ", tables become one "cell | cell" paragraph per row, links keep their words, scripts/styles/noscript and
embedded players are dropped (embeds are named in `warnings`). Text is never lost except past `max_chars`,
where the output is cut at a word boundary and `truncated` is set.

Two steps so the async image uploader can run in between::

    parsed = parse_description(html)                 # parsed.images: original URLs to upload
    hosted = {url: HostedImage(...) for url in ...}  # Upload Product Image, use_case=DESCRIPTION_IMAGE
    result = render_description(parsed, hosted)

`convert_description(html, rehost=...)` does both with a synchronous uploader. `check_description(html)`
lists every way a description breaks these rules; the tests and the listing validator use it.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import quote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_CHARS = 10_000
MAX_IMAGES = 30
MAX_IMAGE_SIDE = 4000  # each description image "under 4000px"

Style = Literal["", "strong", "em", "u"]
_BREAK = "\n"  # a run whose text is exactly this is a <br/>


@dataclass(frozen=True, slots=True)
class HostedImage:
    """An image after upload to TikTok: the `url` to use in `<img src>` and its pixel size."""

    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class _Run:
    text: str
    style: Style = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph (`kind="p"`) or bullet item (`kind="li"`): styled runs; a run of "\\n" is a line break."""

    kind: Literal["p", "li"]
    runs: tuple[_Run, ...]

    @property
    def text(self) -> str:
        """The plain text, line breaks as newlines."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True, slots=True)
class Image:
    """A description image by its original (absolute) URL."""

    src: str


Block = Paragraph | Image


@dataclass(frozen=True, slots=True)
class ParsedDescription:
    """Step 1 result: the description as flat blocks plus the original image URLs to upload (unique, in order)."""

    blocks: tuple[Block, ...]
    images: tuple[str, ...]
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class ConvertedDescription:
    """The TikTok description HTML, the original image URLs it uses, whether text was cut, and what changed."""

    html: str
    images: list[str] = field(default_factory=list)
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)


# --- parsing -----------------------------------------------------------------------------------------------

_DROP = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base", "svg", "math",
    "iframe", "frame", "frameset", "embed", "param", "source", "track", "input", "map", "area",
}
# Media players: the player goes (with a warning), its fallback content stays.
_EMBEDS = {"iframe", "frame", "object", "embed", "video", "audio"}
_BLOCKS = {
    "p", "div", "section", "article", "aside", "header", "footer", "main", "nav", "blockquote", "figure",
    "figcaption", "address", "center", "dl", "dt", "dd", "details", "summary", "fieldset", "legend", "form",
    "hgroup", "search", "body", "html", "video", "audio", "object", "canvas", "picture", "select", "optgroup",
    "option", "label",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PREFORMATTED = {"pre", "textarea", "listing", "xmp", "plaintext"}
_STYLE_OF: dict[str, Style] = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "u", "ins": "u"}
_STYLE_RANK: dict[Style, int] = {"": 0, "u": 1, "em": 2, "strong": 3}
_MAX_DEPTH = 150  # deeper subtrees are read as plain text (no recursion blow-up on hostile HTML)

_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0x200D, 0x20E3, 0xFE0E, 0xFE0F)
        or 0xE0000 <= cp <= 0xE007F
    )


def has_rejected_characters(text: str) -> bool:
    """True when `text` holds emojis, control or invisible format characters, which TikTok rejects."""
    return any(
        _is_emoji(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text
    )


def _clean_text(text: str, removed: list[int]) -> str:
    """Drop emojis, control and format characters TikTok rejects; keep whitespace for later collapsing."""
    out = []
    for ch in text:
        if ch in "\t\n\r\f":
            out.append(" ")
            continue
        if _is_emoji(ch):
            removed[0] += 1
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch != "\u00ad"):
            removed[1] += 1
            continue
        if ch == "\u00ad":  # soft hyphen: invisible, would only survive as an entity
            continue
        out.append(ch)
    return "".join(out)


def _roman(n: int) -> str:
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
            (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _marker(n: int, kind: str) -> str:
    if kind in ("a", "A") and n >= 1:
        letters = ""
        m = n
        while m > 0:
            m, r = divmod(m - 1, 26)
            letters = chr(ord("a") + r) + letters
        return (letters if kind == "a" else letters.upper()) + ". "
    if kind in ("i", "I") and 1 <= n < 4000:
        return (_roman(n) if kind == "i" else _roman(n).upper()) + ". "
    return f"{n}. "


def _int_attr(node: LexborNode, name: str) -> int | None:
    value = (node.attributes.get(name) or "").strip()
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else None


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        yield child
        child = child.next


class _Builder:
    """Walks the parsed tree and collects flat blocks."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.runs: list[_Run] = []
        self.kind: Literal["p", "li"] = "p"
        self.prefix = ""
        self.styles: list[Style] = []
        self.pre = 0
        self.inline_only = 0  # inside a table row: blocks become spaces, images wait for the row to end
        self.deferred: list[Image] = []
        self.removed = [0, 0]  # emojis, control characters
        self.notes: list[str] = []

    # paragraphs
    def style(self) -> Style:
        return max(self.styles, key=lambda s: _STYLE_RANK[s], default="")

    def text(self, raw: str) -> None:
        if self.pre:  # preformatted: every newline is a line break
            for i, part in enumerate(raw.replace("\r\n", "\n").split("\n")):
                if i:
                    self.brk()
                cleaned = _clean_text(part, self.removed)
                if cleaned:
                    self.runs.append(_Run(cleaned, self.style()))
            return
        text = _clean_text(raw, self.removed)
        if text:
            self.runs.append(_Run(text, self.style()))

    def brk(self) -> None:
        self.runs.append(_Run(" ") if self.inline_only else _Run(_BREAK))

    def flush(self) -> None:
        if self.inline_only:
            self.runs.append(_Run(" "))
            return
        runs = _normalise(self.runs)
        self.runs = []
        if runs:
            if self.prefix:
                runs = [_Run(self.prefix), *runs]
            self.blocks.append(Paragraph(self.kind, tuple(runs)))
            self.prefix = ""

    def image(self, node: LexborNode) -> None:
        src = ""
        for name in ("src", "data-src", "data-original", "data-lazy-src"):
            candidate = (node.attributes.get(name) or "").strip()
            if candidate and not candidate.startswith("data:"):
                src = candidate
                break
            if candidate and not src:
                src = candidate
        url = self._absolute(src)
        if url is None:
            if src:
                self.notes.append(f"Left out an image TikTok cannot fetch ({src[:80]}).")
            return
        if self.inline_only:
            self.deferred.append(Image(url))
            return
        self.flush()
        self.blocks.append(Image(url))

    def _absolute(self, src: str) -> str | None:
        if not src or src.startswith("data:"):
            return None
        if src.startswith("//"):
            src = "https:" + src
        elif not urlsplit(src).scheme:
            if not self.base_url:
                return None
            src = urljoin(self.base_url, src)
        return src if urlsplit(src).scheme in ("http", "https") else None

    # tree walk
    def walk(self, node: LexborNode, depth: int = 0) -> None:
        if node.is_text_node:
            self.text(node.text(deep=False))
            return
        if not node.is_element_node:
            return  # comments, doctype
        tag = (node.tag or "").lower()
        if depth > _MAX_DEPTH:
            self.text(" " + node.text(deep=True) + " ")
            return
        if tag in _EMBEDS:
            what = "video" if tag == "video" else "audio" if tag == "audio" else "embedded content"
            self.notes.append(f"Removed {what}: TikTok descriptions cannot play or embed media.")
        if tag in _DROP:
            return
        if tag == "br":
            self.brk()
        elif tag == "img":
            self.image(node)
        elif tag == "hr":
            self.flush()
        elif tag in ("ul", "ol", "menu", "dir"):
            self.walk_list(node, tag, depth)
        elif tag == "li":  # a stray item outside any list
            self.item(node, depth, "li", "")
        elif tag == "table":
            self.table(node, depth)
        elif tag in _HEADINGS:
            self.flush()
            self.styles.append("strong")
            self.inner(node, depth)
            self.styles.pop()
            self.flush()
        elif tag in _PREFORMATTED:
            self.flush()
            self.pre += 1
            self.inner(node, depth)
            self.pre -= 1
            self.flush()
        elif tag in _BLOCKS:
            self.flush()
            self.inner(node, depth)
            self.flush()
        elif tag in _STYLE_OF:
            self.styles.append(_STYLE_OF[tag])
            self.inner(node, depth)
            self.styles.pop()
        else:  # inline or unknown element: keep its words
            self.inner(node, depth)

    def inner(self, node: LexborNode, depth: int) -> None:
        for child in _children(node):
            self.walk(child, depth + 1)

    def walk_list(self, node: LexborNode, tag: str, depth: int) -> None:
        self.flush()
        outer_kind, outer_prefix = self.kind, self.prefix
        ordered = tag == "ol"
        reversed_ = ordered and "reversed" in node.attributes
        items = [c for c in _children(node) if c.is_element_node and (c.tag or "").lower() == "li"]
        start = _int_attr(node, "start")
        number = start if start is not None else (len(items) if reversed_ else 1)
        marker_type = (node.attributes.get("type") or "1").strip() if ordered else ""
        for child in _children(node):
            if child.is_element_node and (child.tag or "").lower() == "li":
                if ordered:
                    value = _int_attr(child, "value")
                    number = value if value is not None else number
                    self.item(child, depth, "p", _marker(number, marker_type))
                    number += -1 if reversed_ else 1
                else:
                    self.item(child, depth, "li", "")
            else:  # text or elements directly inside a list still belong to it
                self.kind = "p" if ordered else "li"
                self.walk(child, depth + 1)
        self.flush()
        self.kind, self.prefix = outer_kind, outer_prefix

    def item(self, node: LexborNode, depth: int, kind: Literal["p", "li"], prefix: str) -> None:
        if self.inline_only:
            self.runs.append(_Run(" " + prefix))
            self.inner(node, depth)
            self.runs.append(_Run(" "))
            return
        self.flush()
        self.kind, self.prefix = kind, prefix
        for child in _children(node):
            tag = (child.tag or "").lower() if child.is_element_node else ""
            if tag in _BLOCKS or tag in _HEADINGS:  # a <p> inside an item is a line, not a new item
                if self.runs and self.runs[-1].text != _BREAK:
                    self.brk()
                self.inner(child, depth + 1)
                self.brk()
            else:
                self.walk(child, depth + 1)
            self.kind = kind  # nested lists switch kind; words after them continue this list
        self.flush()
        self.prefix = ""

    def table(self, node: LexborNode, depth: int) -> None:
        self.flush()
        outer_kind = self.kind
        for part in _children(node):
            tag = (part.tag or "").lower() if part.is_element_node else ""
            if tag == "caption":
                self.walk_inline_row([part], depth)
            elif tag in ("thead", "tbody", "tfoot"):
                for row in _children(part):
                    if row.is_element_node and (row.tag or "").lower() == "tr":
                        self.walk_inline_row(self.cells(row), depth)
            elif tag == "tr":
                self.walk_inline_row(self.cells(part), depth)
            elif tag not in ("colgroup", "col"):
                self.walk(part, depth + 1)
        self.flush()
        self.kind = outer_kind

    @staticmethod
    def cells(row: LexborNode) -> list[LexborNode]:
        return [c for c in _children(row) if c.is_element_node and (c.tag or "").lower() in ("td", "th")]

    def walk_inline_row(self, cells: list[LexborNode], depth: int) -> None:
        if not self.inline_only:
            self.flush()
            self.kind, self.prefix = "p", ""
        self.inline_only += 1
        for i, cell in enumerate(cells):
            if i:
                self.runs.append(_Run(" | "))
            header = (cell.tag or "").lower() == "th"
            if header:
                self.styles.append("strong")
            self.inner(cell, depth + 1)
            if header:
                self.styles.pop()
        self.inline_only -= 1
        if not self.inline_only:
            self.flush()
            for img in self.deferred:
                self.blocks.append(img)
            self.deferred = []
        else:
            self.runs.append(_Run(" "))


def _normalise(runs: list[_Run]) -> list[_Run]:
    """Collapse whitespace across runs, trim around breaks and at the ends, merge neighbours of one style."""
    out: list[_Run] = []
    space_pending = False
    for run in runs:
        if run.text == _BREAK:
            space_pending = False
            if out:  # a break never starts a paragraph
                out.append(run)
            continue
        text = _SPACES.sub(" ", run.text)
        if not text:
            continue
        if text.startswith(" "):
            space_pending = True
            text = text.lstrip(" ")
        if not text:
            continue
        ends_space = text.endswith(" ")
        text = text.rstrip(" ")
        if space_pending and out and out[-1].text != _BREAK:
            # the space goes outside formatting: "<em>slim</em> <u>fit</u>", not "<em>slim </em><u>fit</u>"
            if run.style == out[-1].style or not run.style:
                text = " " + text
            elif not out[-1].style:
                out[-1] = _Run(out[-1].text + " ")
            else:
                out.append(_Run(" "))
        space_pending = ends_space
        if out and out[-1].style == run.style and out[-1].text != _BREAK:
            out[-1] = _Run(out[-1].text + text, run.style)
        else:
            out.append(_Run(text, run.style))
    while out and out[-1].text == _BREAK:
        out.pop()
    # at most two consecutive line breaks
    squeezed: list[_Run] = []
    for run in out:
        if run.text == _BREAK and len(squeezed) >= 2 and squeezed[-1].text == squeezed[-2].text == _BREAK:
            continue
        squeezed.append(run)
    return squeezed


def parse_description(html: str, *, base_url: str | None = None, max_images: int = MAX_IMAGES) -> ParsedDescription:
    """Step 1: read store description HTML into flat blocks and list the image URLs to upload.

    Relative image URLs are resolved against `base_url` (the store's address); without it they are left out
    with a warning. Only the first `max_images` images are kept; the rest are named in `warnings`.
    """
    builder = _Builder(base_url)
    if html and html.strip():
        parser = LexborHTMLParser(html, is_fragment=True)
        node = parser.root
        while node is not None:
            builder.walk(node)
            node = node.next
        builder.flush()
    blocks: list[Block] = []
    images: list[str] = []
    image_count = 0
    dropped_images = 0
    for block in builder.blocks:
        if isinstance(block, Image):
            if image_count >= max_images:
                dropped_images += 1
                continue
            image_count += 1
            if block.src not in images:
                images.append(block.src)
        blocks.append(block)
    warnings = list(dict.fromkeys(builder.notes))
    if dropped_images:
        warnings.append(
            f"Left out {dropped_images} image(s): TikTok allows {max_images} images in a description."
        )
    emojis, controls = builder.removed
    if emojis:
        warnings.append(f"Removed {emojis} emoji or symbol character(s); TikTok rejects them in descriptions.")
    if controls:
        warnings.append(f"Removed {controls} invisible control character(s).")
    if any(_CJK.search(b.text) for b in blocks if isinstance(b, Paragraph)):
        warnings.append("The description contains Chinese characters, which TikTok may reject.")
    return ParsedDescription(tuple(blocks), tuple(images), tuple(warnings))


# --- rendering ---------------------------------------------------------------------------------------------

_AMP_CANDIDATE = re.compile(r"&#?\w*;?")


def _escape_amp(text: str) -> str:
    """Escape `&` only where HTML could read a character reference (or an ambiguous one) after it.

    TikTok flags HTML escape characters (error 12052932), so "Salt & Pepper" and "AT&T" stay bare while
    "&copy" or "&x;" written as text become "&amp;copy" / "&amp;x;".
    """

    def fix(match: re.Match[str]) -> str:
        seq = match.group(0)
        if seq.startswith("&#") or seq.endswith(";") or htmllib.unescape(seq) != seq:
            return "&amp;" + seq[1:]
        return seq

    return _AMP_CANDIDATE.sub(fix, text) if "&" in text else text


def _escape_text(text: str) -> str:
    return _escape_amp(text).replace("<", "&lt;")


def _escape_url(url: str) -> str:
    return _escape_amp(quote(url, safe=":/?#[]@!$&'()*+,;=%~-._"))


def _render_runs(runs: tuple[_Run, ...] | list[_Run]) -> str:
    parts = []
    for run in runs:
        if run.text == _BREAK:
            parts.append("<br/>")
        elif run.style:
            parts.append(f"<{run.style}>{_escape_text(run.text)}</{run.style}>")
        else:
            parts.append(_escape_text(run.text))
    return "".join(parts)


def _render_image(hosted: HostedImage) -> str:
    width, height = max(1, hosted.width), max(1, hosted.height)
    if max(width, height) >= MAX_IMAGE_SIDE:  # keep the aspect ratio, stay under TikTok's 4000 px
        scale = (MAX_IMAGE_SIDE - 1) / max(width, height)
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
    return f'<img src="{_escape_url(hosted.url)}" width="{width}" height="{height}"/>'


def _cut_runs(runs: tuple[_Run, ...], budget: int, wrap: str) -> list[_Run] | None:
    """The longest word-boundary prefix of `runs` whose rendering (inside `wrap`) fits `budget`, or None."""
    overhead = 2 * len(wrap) + 5
    # Word boundaries: positions after each whitespace-separated word across runs.
    cuts: list[tuple[int, int]] = []  # (run index, char index within run)
    for i, run in enumerate(runs):
        if run.text == _BREAK:
            cuts.append((i, 0))
            continue
        for m in re.finditer(r"\S+", run.text):
            cuts.append((i, m.end()))
    best: list[_Run] | None = None
    lo, hi = 0, len(cuts) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        i, j = cuts[mid]
        candidate = list(runs[:i])
        if runs[i].text != _BREAK:
            candidate.append(_Run(runs[i].text[:j], runs[i].style))
        while candidate and candidate[-1].text == _BREAK:
            candidate.pop()
        if candidate and len(_render_runs(candidate)) + overhead <= budget:
            best = candidate
            lo = mid + 1
        else:
            hi = mid - 1
    return best


def render_description(
    parsed: ParsedDescription, hosted: Mapping[str, HostedImage], *, max_chars: int = MAX_CHARS
) -> ConvertedDescription:
    """Step 2: render blocks as TikTok description HTML using uploaded images (`hosted`: original URL → image).

    Images missing from `hosted` (upload failed) are left out and named in `warnings`. If the result would
    pass `max_chars`, it ends at the last word that fits and `truncated` is True.
    """
    warnings = list(parsed.warnings)
    parts: list[str] = []
    used = 0
    in_list = False
    truncated = False
    used_images: list[str] = []
    missing: list[str] = []

    def close_list() -> None:
        nonlocal used, in_list
        if in_list:
            parts.append("</ul>")
            used += 5
            in_list = False

    for block in parsed.blocks:
        if isinstance(block, Image):
            image = hosted.get(block.src)
            if image is None:
                if block.src not in missing:
                    missing.append(block.src)
                continue
            rendered = _render_image(image)
            reserve = 5 if in_list else 0
            if used + reserve + len(rendered) > max_chars:
                truncated = True
                break
            close_list()
            parts.append(rendered)
            used += len(rendered)
            if block.src not in used_images:
                used_images.append(block.src)
            continue
        body = _render_runs(block.runs)
        if block.kind == "li":
            opening = "" if in_list else "<ul>"
            rendered = f"{opening}<li>{body}</li>"
            if used + len(rendered) + 5 > max_chars:  # +5: the </ul> that must follow
                cut = _cut_runs(block.runs, max_chars - used - len(opening) - 5, "li")
                if cut:
                    parts.append(f"{opening}<li>{_render_runs(cut)}</li>")
                    used += len(parts[-1])
                    in_list = True
                truncated = True
                break
            parts.append(rendered)
            used += len(rendered)
            in_list = True
        else:
            reserve = 5 if in_list else 0
            rendered = f"<p>{body}</p>"
            if used + reserve + len(rendered) > max_chars:
                cut = _cut_runs(block.runs, max_chars - used - reserve, "p")
                close_list()
                if cut:
                    parts.append(f"<p>{_render_runs(cut)}</p>")
                    used += len(parts[-1])
                truncated = True
                break
            close_list()
            parts.append(rendered)
            used += len(rendered)
    close_list()
    if missing:
        warnings.append(
            f"Left out {len(missing)} image(s) that could not be uploaded to TikTok: " + ", ".join(missing[:3])
            + ("…" if len(missing) > 3 else "")
        )
    if truncated:
        warnings.append(
            f"The description was cut to {max_chars:,} characters, TikTok's limit; the end of it is missing. "
            "Shorten the description in your store to control where it ends."
        )
    return ConvertedDescription("".join(parts), used_images, truncated, warnings)


def convert_description(
    html: str,
    *,
    rehost: Callable[[str], HostedImage | tuple[str, int, int]] | None = None,
    base_url: str | None = None,
    max_chars: int = MAX_CHARS,
    max_images: int = MAX_IMAGES,
) -> ConvertedDescription:
    """Convert store description HTML in one go, uploading each image with `rehost(url) -> (url, w, h)`.

    Without `rehost` the images are left out of the HTML (TikTok only shows images it hosts) but still
    listed in `images` and named in `warnings`.
    """
    parsed = parse_description(html, base_url=base_url, max_images=max_images)
    hosted: dict[str, HostedImage] = {}
    if rehost is not None:
        for url in parsed.images:
            result = rehost(url)
            hosted[url] = result if isinstance(result, HostedImage) else HostedImage(*result)
        return render_description(parsed, hosted, max_chars=max_chars)
    converted = render_description(parsed, {}, max_chars=max_chars)
    converted.images = list(parsed.images)
    converted.warnings = [w for w in converted.warnings if "could not be uploaded" not in w]
    if parsed.images:
        converted.warnings.append(
            f"{len(parsed.images)} image(s) are not in the description until they are uploaded to TikTok."
        )
    return converted


# --- checking ----------------------------------------------------------------------------------------------

_ALLOWED_CHILDREN: dict[str, set[str]] = {
    "": {"p", "ul", "img"},
    "p": {"strong", "em", "u", "br"},
    "li": {"strong", "em", "u", "br"},
    "ul": {"li"},
    "strong": set(),
    "em": set(),
    "u": set(),
}
_VOID = {"br", "img"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.images = 0

    def _parent(self) -> str:
        return self.stack[-1] if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self._parent()
        if tag not in _ALLOWED_CHILDREN.get(parent, set()):
            self.problems.append(f"<{tag}> is not allowed inside <{parent or 'top level'}>.")
        names = [name for name, _ in attrs]
        if tag == "img":
            self.images += 1
            values = dict(attrs)
            if sorted(names) != ["height", "src", "width"]:
                self.problems.append(f"<img> must have exactly src, width and height, has {names}.")
            for side in ("width", "height"):
                value = values.get(side) or ""
                if not value.isdigit() or not 0 < int(value) < MAX_IMAGE_SIDE:
                    self.problems.append(f"<img> {side}={value!r} is not a whole number of pixels under 4000.")
        elif names:
            self.problems.append(f"<{tag}> must not have attributes ({names}).")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.problems.append(f"<{tag}/> is not a void element.")
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            self.problems.append(f"</{tag}> closes a void element.")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open element.")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and self._parent() in ("", "ul"):
            self.problems.append(f"Text {data[:20]!r} outside a paragraph or list item.")
        if "<" in data:
            self.problems.append("A bare '<' in text.")

    def handle_comment(self, data: str) -> None:
        self.problems.append("Comments are not allowed.")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("Declarations are not allowed.")


def check_description(html: str, *, max_chars: int = MAX_CHARS, max_images: int = MAX_IMAGES) -> list[str]:
    """Every way `html` breaks the TikTok description rules feedbridge emits (empty list: fine)."""
    problems: list[str] = []
    if len(html) > max_chars:
        problems.append(f"The description is {len(html):,} characters; TikTok allows {max_chars:,}.")
    for match in _AMP_CANDIDATE.finditer(html):
        seq = match.group(0)
        if seq not in ("&amp;", "&lt;") and (seq.startswith("&#") or seq.endswith(";") or htmllib.unescape(seq) != seq):
            problems.append(f"Character reference {seq!r} is not allowed.")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems.extend(checker.problems)
    if checker.stack:
        problems.append(f"Unclosed elements: {checker.stack}.")
    if checker.images > max_images:
        problems.append(f"The description has {checker.images} images; TikTok allows {max_images}.")
    bad = [ch for ch in html if _is_emoji(ch) or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn", "Cf")]
    if bad:
        problems.append(f"The description contains {len(bad)} emoji or control character(s).")
    return problems


_SEPARATORS = _BLOCKS | _HEADINGS | _PREFORMATTED | {
    "ul", "ol", "li", "menu", "dir", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "br",
    "hr", "img",
}


def description_text(html: str) -> str:
    """The words a reader sees in `html` (scripts, styles and noscript excluded), for comparisons and tests."""
    parser = LexborHTMLParser(html or "", is_fragment=True)
    words: list[str] = []

    def visit(node: LexborNode) -> None:
        if node.is_text_node:
            words.append(node.text(deep=False))
            return
        if not node.is_element_node or (node.tag or "").lower() in _DROP:
            return
        separates = (node.tag or "").lower() in _SEPARATORS
        if separates:
            words.append(" ")
        for child in _children(node):
            visit(child)
        if separates:
            words.append(" ")

    node = parser.root
    while node is not None:
        visit(node)
        node = node.next
    return "".join(words)
