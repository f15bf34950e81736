"""Turn a helpdesk export body into the text the agent actually wrote.

    clean_reply("<p>Sorry, we can't.</p><blockquote>old mail</blockquote>").text  ->  "Sorry, we can't."

Steps: HTML -> plain text (stdlib `html.parser`; block tags become line breaks, <script>/<style>/<head>
and quoted blocks such as <blockquote>, Gmail/Outlook/Yahoo quote containers are dropped), then at text
level: lines starting with '>' are dropped, everything from a reply header ('On ... wrote:',
'-----Original Message-----', an Outlook 'From:/Sent:' block, a '____' separator followed by 'From:')
is dropped, and so is a signature ('-- ' delimiter, a trailing sign-off block such as 'Kind regards,\\nSam\\nAcme
Support', 'Sent from my iPhone'). The result is what gets scored and stored, so every finding offset
points into it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HTML_HINT = re.compile(r"<\s*(?:/?\s*(?:html|body|div|p|br|span|blockquote|table|tr|td|a|font|b|i|u|strong|em|ul|ol|li|h[1-6]|img|hr|pre|center|section)\b)[^>]*>"
                        r"|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", re.I)
_BLOCK = {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre",
          "section", "article", "header", "footer", "center", "dl", "dt", "dd", "address", "title"}
_DROP_TAGS = {"script", "style", "head", "blockquote", "template", "noscript"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source", "param"}
#: class/id markers of quoted history and signatures in common mail clients' HTML
_QUOTE_MARK = re.compile(r"gmail_quote|gmail_extra|gmail_signature|moz-cite-prefix|moz-signature|yahoo_quoted|"
                         r"divRplyFwdMsg|appendonsend|OutlookMessageHeader|zendesk_quote|zd-comment-quote|"
                         r"\bquote\b|\bsignature\b|x_divRplyFwdMsg", re.I)
#: once one of these appears, everything after it is earlier mail (Outlook puts history after the marker)
_CUT_AFTER_MARK = re.compile(r"divRplyFwdMsg|appendonsend|OutlookMessageHeader", re.I)

_ORIGINAL = re.compile(r"^\s*-{2,}\s*(?:original message|forwarded message|reply above this line)\s*-{2,}\s*$|"
                       r"^\s*#{2,}\s*(?:please )?(?:type your reply above this line).*$", re.I)
_ON_WROTE = re.compile(r"^\s*(?:on|am|le|el|op)\s.{0,300}(?:wrote|schrieb|a écrit|escribió|schreef)\s*:\s*$", re.I)
_HEADER = re.compile(r"^\s*\*?(?:from|von|de)\s*:\*?\s*\S", re.I)
_HEADER_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|subject|cc|gesendet|an|betreff|envoyé|objet)\s*:", re.I)
_RULE_LINE = re.compile(r"^\s*_{10,}\s*$")
_SIG_DELIM = re.compile(r"^--\s*$")
_MOBILE = re.compile(r"^\s*(?:sent from my \w[\w ]{0,30}|get outlook for \w+|sent from (?:mail|yahoo mail|outlook) for \w+)\s*\.?\s*$", re.I)
_SIGN_OFF = re.compile(r"^\s*(?:(?:best|kind|warm|warmest|many|with)?\s*(?:regards|wishes)|best|cheers|thanks|thank you|thanks again|"
                       r"many thanks|thanks so much|sincerely|yours sincerely|yours truly|yours faithfully|all the best|"
                       r"take care|speak soon|talk soon|respectfully|with thanks|br|rgds|regards)\s*[,.!\-–—]?\s*$", re.I)
_CONTACT = re.compile(r"@|www\.|https?://|\+?\d[\d ()\-]{6,}\d|\b(?:tel|phone|mobile|fax|ext)\b", re.I)
_SIG_MAX_LINES = 6
_SIG_MAX_LINE_CHARS = 80


@dataclass
class Cleaned:
    """The cleaned text plus what was taken out (for the output's `cleaned` column)."""

    text: str
    removed: list[str] = field(default_factory=list)

    @property
    def label(self) -> str | None:
        return "+".join(self.removed) if self.removed else None


def looks_like_html(text: str) -> bool:
    return _HTML_HINT.search(text) is not None


class _TextExtractor(HTMLParser):
    def __init__(self, collapse: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.collapse = collapse  # HTML whitespace rules: source line breaks are spaces, blocks make the lines
        self._pre = 0
        self.parts: list[str] = []
        self.dropped = False
        self._drop_stack: list[str] = []  # open tags whose content is being dropped
        self._cut = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._cut:
            return
        marks = " ".join(v or "" for k, v in attrs if k in ("class", "id", "name"))
        if marks and _CUT_AFTER_MARK.search(marks):
            self._cut = self.dropped = True
            return
        if self._drop_stack:
            if tag not in _VOID:
                self._drop_stack.append(tag)
            return
        if tag in _DROP_TAGS or (marks and _QUOTE_MARK.search(marks) and tag not in _VOID):
            if tag in ("blockquote",) or (marks and _QUOTE_MARK.search(marks)):
                self.dropped = True
            self._drop_stack.append(tag)
            return
        if tag == "pre":
            self._pre += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._cut and not self._drop_stack and tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._cut:
            return
        if self._drop_stack:
            # close up to the matching open tag (tolerates unclosed inner tags)
            if tag in self._drop_stack:
                while self._drop_stack and self._drop_stack.pop() != tag:
                    pass
            return
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._cut and not self._drop_stack:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data) if self.collapse and not self._pre else data)


_TAG = re.compile(r"<\s*/?\s*[a-z][a-z0-9]*\b[^>]*>", re.I)


def html_to_text(markup: str) -> tuple[str, bool]:
    """Plain text of an HTML body and whether quoted/signature blocks were dropped.

    Text that only carries entities (no tags) keeps its own line breaks.
    """
    parser = _TextExtractor(collapse=_TAG.search(markup) is not None)
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = text.replace("\u00a0", " ")
    return text, parser.dropped


def _cut_history(lines: list[str]) -> tuple[list[str], bool]:
    """Drop everything from the first reply/forward header on."""
    for i, line in enumerate(lines):
        if _ORIGINAL.match(line):
            return lines[:i], True
        if _ON_WROTE.match(line):
            return lines[:i], True
        # 'On Mon, 3 Jun 2024 at 10:02, Jane <j@x.com>' wrapped onto the next line ending in 'wrote:'
        if i + 1 < len(lines) and re.match(r"^\s*on\s", line, re.I) and _ON_WROTE.match(line.strip() + " " + lines[i + 1].strip()):
            return lines[:i], True
        if _HEADER.match(line) and any(_HEADER_NEXT.match(n) for n in lines[i + 1 : i + 4]):
            j = i - 1 if i > 0 and _RULE_LINE.match(lines[i - 1]) else i
            return lines[:j], True
        if _RULE_LINE.match(line) and any(_HEADER.match(n) for n in lines[i + 1 : i + 3]):
            return lines[:i], True
    return lines, False


def _cut_signature(lines: list[str]) -> tuple[list[str], bool]:
    removed = False
    for i, line in enumerate(lines):
        if _SIG_DELIM.match(line) and i > 0:
            lines, removed = lines[:i], True
            break
    kept = [ln for ln in lines if not _MOBILE.match(ln)]
    removed = removed or len(kept) != len(lines)
    lines = kept
    # a sign-off line followed only by a few signature-like lines (name, title, company, phone) ends the message
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    for pos, i in enumerate(nonblank):
        if pos == 0 or not _SIGN_OFF.match(lines[i]):
            continue
        tail = [lines[j].strip() for j in nonblank[pos + 1 :]]
        if len(tail) <= _SIG_MAX_LINES and all(_signature_like(t) for t in tail):
            return lines[:i], True
    return lines, removed


def _signature_like(line: str) -> bool:
    """A name / title / company / contact line rather than a sentence of the reply."""
    if len(line) > _SIG_MAX_LINE_CHARS:
        return False
    if _CONTACT.search(line):
        return True
    words = line.split()
    return len(words) <= 6 and not (len(words) > 3 and line[-1] in ".?!")


def _tidy(text: str) -> str:
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    blank = 0
    for ln in lines:
        if not ln.strip():
            blank += 1
            if blank > 1:
                continue
            out.append("")
            continue
        blank = 0
        out.append(re.sub(r"[ \t\u00a0]{2,}", " ", ln.strip()) if "\t" in ln or "  " in ln else ln.strip())
    return "\n".join(out).strip()


def clean_reply(text: str) -> Cleaned:
    """Clean one reply body (HTML or plain text); see the module docstring for what is removed."""
    removed: list[str] = []
    if looks_like_html(text):
        text, dropped_html = html_to_text(text)
        removed.append("html")
        if dropped_html:
            removed.append("quote")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [ln for ln in lines if not ln.lstrip().startswith(">")]
    quoted = len(kept) != len(lines)
    kept, cut = _cut_history(kept)
    if (quoted or cut) and "quote" not in removed:
        removed.append("quote")
    kept, sig = _cut_signature(kept)
    if sig:
        removed.append("signature")
    return Cleaned(_tidy("\n".join(kept)), removed)


def clean_text(text: str) -> str:
    return clean_reply(text).text


__all__ = ["Cleaned", "clean_reply", "clean_text", "html_to_text", "looks_like_html"]
