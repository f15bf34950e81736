"""The RESTRUCTURE candidate: acknowledge the specific problem -> own it -> next step with a timeline -> close.

Written in the draft's register (e-mail paragraphs, chat line, lowercase SMS), keeping the agent's
greeting and sign-off and every sentence that carries a fact; flagged sentences get the minimal edit.
"""
from __future__ import annotations

import re

from ..report import Report
from .candidates import apply, minimal_edits, targets
from .facts import can_capitalise, has_facts
from .style import APOLOGY, GREETING, Frame, cap_first, lower_first, sentence_spans, split_frame, styled

NEXT_STEP = "I'll [next step] and update you by [by when]."
_SORRY_LEAD = re.compile(r"^(?:(?:i am|i'm|im|we are|we're) )?(?:so |very |really |truly )?(?:sorry|apologies)(?: about (?:that|this))?"
                         r"(?:[,.!]\s*|\s+)(?:but\s+)?(?=\w)", re.I)
_COMMIT = re.compile(r"\b(?:i'll|i will|we'll|we will|i've|we've|i have|let me|i'm going to)\b", re.I)
_OPENER = re.compile(r"^(?:thanks|thank you) (?:so much )?for (?:contacting|reaching|getting in touch|your (?:message|email|patience|query))", re.I)
_CLOSER = re.compile(r"^(?:thanks|thank you|take care|have a (?:great|good|nice|lovely|wonderful)|hope this helps|let (?:me|us) know"
                     r"|any (?:other )?questions|(?:is there )?anything else|cheers|enjoy)", re.I)
_GENERIC_SORRY = re.compile(r"^(?:oh no,? )?(?:(?:i'm|i am|we're|we are|we|our|my)\s+)?(?:so |very |really |truly |sincere |deepest )?"
                            r"(?:sorry|apologies|apologise|apologize)\b[^.!?]{0,40}[.!?]*$", re.I)


def restructure(reply: str, customer: str | None, report: Report, concise: bool = False) -> str | None:
    """Acknowledge the specific problem -> own it -> concrete next step with a timeline -> close."""
    frame = split_frame(reply)
    off = len(frame.lead) + len(frame.greeting) + len(frame.gap)
    body = frame.body
    flagged = [f.model_copy(update={"start": f.start - off, "end": f.end - off})
               for f in targets(reply, report.findings) if off <= f.start and f.end <= off + len(body)]
    if not flagged and not body.strip():
        return None
    openers, kept, closers, dropped = [], [], [], []
    spans = sentence_spans(body)
    para = _paragraphs(body)
    for i, (a, b) in enumerate(spans):
        s = body[a:b]
        mine = [f.model_copy(update={"start": f.start - a, "end": f.end - a}) for f in flagged if a <= f.start < b]
        if mine:
            edits = minimal_edits(s, mine, frame)
            whole = bool(edits) and edits[0].start == 0 and edits[-1].end >= len(s)
            if has_facts(s) or not whole:
                kept.append((para(a), apply(s, edits)))
            else:
                dropped += mine
        elif _GENERIC_SORRY.match(s) and not has_facts(s) and len(s.split()) <= 8:
            continue  # a generic apology: the specific acknowledgement below replaces it
        elif GREETING.fullmatch(s.strip(" !.,")) and (frame.greeting or i > 0):
            continue  # a second greeting
        elif i == 0 and _OPENER.match(s):
            openers.append(s)
        elif i > 0 and i >= len(spans) - 2 and _CLOSER.match(s) and not has_facts(s):
            closers.append(s)
        else:
            kept.append((para(a), s))
    if problem_phrase(customer):  # a specific acknowledgement replaces the draft's generic "sorry, but"
        kept = [(p, _SORRY_LEAD.sub("", t, count=1) or t) for p, t in kept]
    if not frame.lowercase:
        kept = [(p, _cap_safe(t)) for p, t in kept]
    ack = None
    if not any(APOLOGY.search(t) for t in openers):
        sorry = next((i for i, (_, t) in enumerate(kept) if APOLOGY.search(t)), None)
        ack = kept.pop(sorry)[1] if sorry is not None else _acknowledge(customer, frame)  # the draft's own apology leads
    texts = [t for _, t in kept]
    own = None if concise or frame.register == "sms" else styled(
        "I'm taking ownership of this and will see it through." if frame.register == "email" else "I'm taking care of this personally.", frame)
    nxt = None
    if not any(_COMMIT.search(t) and ("[by when]" in t or has_facts(t)) for t in [*texts, ack or ""]):
        sugg = next((f.suggestion for f in dropped if f.suggestion and "[" in f.suggestion and _COMMIT.search(f.suggestion)), None)
        nxt = styled(sugg or NEXT_STEP, frame)
    close = " ".join(closers) if closers else (None if concise else styled(
        {"email": "Thank you for your patience while I sort this out.", "chat": "Thanks for bearing with me, I'll keep you posted.",
         "sms": "Thanks for bearing with us."}[frame.register], frame))
    ack = _end(ack) if ack else ack
    kept = [(p, _end(t)) for p, t in kept]
    texts = [t for _, t in kept]
    first = [x for x in [*openers, ack, own] if x]
    last = [x for x in [nxt, close] if x]
    if frame.register == "email":
        groups: dict[int, list[str]] = {}
        for p, t in kept:
            groups.setdefault(p, []).append(t)
        paras = [" ".join(first)] + [" ".join(g) for g in groups.values()] + [" ".join(last)]
        new_body = "\n\n".join(p for p in paras if p)
    else:
        new_body = " ".join(first + texts + last)
    if not new_body.strip():
        return None
    if not frame.lowercase:
        new_body = _cap_safe(new_body)
    return frame.join(new_body)


def _end(sentence: str) -> str:
    return sentence + "." if sentence[-1:].isalnum() else sentence


def _cap_safe(sentence: str) -> str:
    return cap_first(sentence) if can_capitalise(sentence) else sentence


def _paragraphs(body: str):
    breaks = [m.start() for m in re.finditer(r"\n\s*\n", body)]
    return lambda pos: sum(1 for x in breaks if x < pos)


_CUE = re.compile(r"\b(?:never|not|no|nobody|nothing|still|again|late|lost|missing|broken|wrong|charged|twice|cancel\w*|fail\w*"
                  r"|error|delay\w*|waiting|waited|stuck|locked|crash\w*|damaged|suspended|blocked|declined|\w+n't|without|can ?not)\b", re.I)
_PERSON = [(r"\b[Ii]'m\b", "you're"), (r"\b[Ii] am\b", "you are"), (r"\b[Ii]'ve\b", "you've"), (r"\b[Ii]'d\b", "you'd"),
           (r"\b[Ii]'ll\b", "you'll"), (r"\b[Ii] was\b", "you were"), (r"\bI\b|(?<![\w'])i(?![\w'])", "you"), (r"(?i)\bmy\b", "your"),
           (r"(?i)\bme\b", "you"), (r"(?i)\bmine\b", "yours"), (r"(?i)\bmyself\b", "yourself"), (r"(?i)\bwe\b", "you"),
           (r"(?i)\bour\b", "your"), (r"(?i)\bus\b", "you")]


_FILLER = {"hi", "hello", "hey", "hiya", "dear", "there", "sorry", "ok", "okay", "well", "um", "so", "guys", "folks", "team", "oh"}
_SUBJECT = {"i", "i'm", "i've", "i'd", "im", "ive", "my", "we", "we've", "we're", "our", "the", "this", "that", "it", "it's", "its",
            "someone", "somebody", "nobody", "noone", "a", "an", "his", "her", "their", "they", "he", "she", "me", "mine", "there"}


def problem_phrase(customer: str | None) -> str | None:
    """The customer's problem in the agent's words ("your refund never arrived"), or None."""
    if not customer:
        return None
    text = re.sub(r"@\w+|https?://\S+", " ", customer)
    for piece in re.split(r"[.!?]+(?=\s|$)|\n+|,\s+|\s+(?:and|but|so)\s+", text):
        words = piece.strip(" -:;\"'").split()
        while words and words[0].lower().strip(",!") in _FILLER:
            words = words[1:]
        phrase = " ".join(words)
        if not words or words[0].lower().strip(",") not in _SUBJECT:
            continue
        if ".." in phrase or not re.fullmatch(r"[\w\s'\u2019£$€%.,#/&-]+", phrase):
            continue  # emoticons, trailing-off "...": not something to quote back
        if 3 <= len(words) <= 14 and _CUE.search(phrase) and not re.search(r"\b(?:you|your|you're)\b", phrase, re.I):
            for pat, rep in _PERSON:
                phrase = re.sub(pat, rep, phrase)
            return lower_first(re.sub(r"[^\w)\]%]+$", "", phrase))
    return None


def _acknowledge(customer: str | None, frame: Frame) -> str:
    phrase = problem_phrase(customer)
    head = "Sorry" if frame.register == "sms" else "I'm sorry"
    if phrase:
        that = "" if frame.register == "sms" or phrase.lower().startswith("that ") else "that "
        return f"{styled(head, frame)} {that}{phrase}."
    return styled(f"{head} about [specific problem].", frame)
