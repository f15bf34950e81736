"""Template (combinatorial) rows for the corpus: opener + core + closer, labels by construction.

    python -m replycoach.training.augment [N]    # writes corpus/raw/authored_aug_01.jsonl

Each core sentence was written with its labels; openers add only formulaic empathy. These rows are
marked generation="augmented" and are kept under a quarter of the corpus (a test checks it).
"""
from __future__ import annotations

import json
import random
import sys

from .corpus import RAW, gate_for

OPENERS = [("", 0), ("Hi there, ", 0), ("Hello, ", 0), ("Thanks for contacting us. ", 0), ("Good morning! ", 0),
           ("Sorry for the trouble. ", 1), ("I understand your frustration. ", 1), ("We apologise for any inconvenience. ", 1),
           ("hey, ", 0), ("Dear customer, ", 0), ("Sorry about that! ", 1), ("Thank you for your patience. ", 1)]
CLOSERS = ["", " Thanks.", " Have a nice day.", " Regards, Support Team", " Anything else?", " Kind regards, Dana", " Cheers"]
# (text, dismissive span or None, stance, proactive, empathy)
CORES = [
    ("I'm afraid I cannot help you with that from here.", "cannot help you with that from here", "passive", 0, 0),
    ("Nothing appears in the system on our end.", "Nothing appears in the system", "assertive", 0, 0),
    ("That is not our department, please contact the seller.", "That is not our department", "assertive", 0, 0),
    ("There's nothing we can do about it now.", "nothing we can do", "passive", 0, 0),
    ("You will need to contact your bank yourself.", "contact your bank yourself", "assertive", 0, 0),
    ("As I already explained, the refund takes 10 working days.", "As I already explained", "aggressive", 0, 0),
    ("It is only a small delay, it will arrive eventually.", "It is only a small delay", "assertive", 0, 0),
    ("Please read the FAQ on our website.", "Please read the FAQ", "assertive", 0, 0),
    ("It's company policy, so no exceptions.", "It's company policy", "assertive", 0, 0),
    ("We have no record of that call.", "We have no record of that call", "assertive", 0, 0),
    ("I will be closing this chat now.", "closing this chat now", "assertive", 0, 0),
    ("You should have read the terms before buying.", "You should have read the terms", "aggressive", 0, 0),
    ("Calm down please, shouting won't help.", "Calm down please", "aggressive", 0, 0),
    ("Maybe someone will look into it at some point, not sure.", "someone will look into it at some point", "passive", 0, 0),
    ("This is outside our scope, sorry.", "This is outside our scope", "passive", 0, 0),
    ("I can't change the fare, but I've moved you to the 9:40 flight at no cost.", None, "assertive", 1, 0),
    ("Nothing to worry about, I've already refunded the $35 to your card.", None, "assertive", 1, 1),
    ("No problem at all, I've resent the invoice to your email just now.", None, "assertive", 1, 0),
    ("That's handled by our billing team, so I've passed your case to them and they'll call you by 5pm tomorrow.", None, "assertive", 1, 0),
    ("I can't see the payment yet, so I've asked our payments team to trace it and I'll email you by Friday.", None, "assertive", 1, 0),
    ("Our policy is 30 days because items must be resaleable, but I can offer store credit for the full amount.", None, "assertive", 1, 0),
    ("I know a week without internet is really disruptive while you work from home, so I've booked an engineer for Tuesday 8-12.", None, "assertive", 1, 2),
    ("I can't wait to help, let me check your order now.", None, "assertive", 1, 0),
    ("I think maybe it could be refunded, I'm not really sure, sorry.", None, "passive", 0, 1),
    ("Your order shipped yesterday and should arrive Thursday.", None, "assertive", 0, 0),
    ("I'm so sorry, truly sorry, I apologise again, I'll do whatever you want.", None, "passive", 0, 1),
    ("It's only a small fix on our side and I've already applied it, so you're all set.", None, "assertive", 1, 0),
    ("I've checked with the warehouse: your parcel was found and re-sent this morning, tracking to follow by 3pm.", None, "assertive", 1, 0),
    ("Please send me your order number and I'll check the status straight away.", None, "assertive", 1, 0),
    ("Please DM us your details.", None, "assertive", 0, 0),
]
CUSTOMERS = [("Where is my refund? It's been three weeks!!", 1), ("Hi, quick question about my order.", 0),
             ("This is the third time I'm asking. Nobody helps.", 1), ("Can you check my last bill please?", 0),
             ("I'm really worried, the money left my account twice.", 1), ("", None), ("hello?? anyone there", 1),
             ("My parcel says delivered but I never got it.", 1), ("Could I change my booking?", 0), ("", None)]


def generate(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    seen: set[str] = set()
    rows: list[dict] = []
    while len(rows) < n:
        (op, op_e), close = rng.choice(OPENERS), rng.choice(CLOSERS)
        core, span, stance, pro, core_e = rng.choice(CORES)
        cust, distress = rng.choice(CUSTOMERS)
        lower_first = op.endswith(", ") and not core.startswith(("I ", "I'"))
        body = core[0].lower() + core[1:] if lower_first else core
        reply = f"{op}{body}{close}"
        if reply in seen:
            continue
        seen.add(reply)
        empathy = max(op_e, core_e)
        dismissive = int(span is not None)
        spans = [body[body.lower().find(span.lower()) : body.lower().find(span.lower()) + len(span)]] if span else []
        row = {"id": f"aug-{len(rows) + 1:04d}", "reply": reply, "customer": cust, "empathy": empathy, "stance": stance,
               "dismissive": dismissive, "dismissive_spans": spans, "proactive": pro, "customer_distress": distress,
               "industry": "mixed", "channel": rng.choice(["chat", "email", "sms", "social"]),
               "style": "template", "generation": "augmented", "labelled_by": "template (labels by construction)"}
        rows.append({**row, "gate": gate_for(row)})
    return rows


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    path = RAW / "authored_aug_01.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate(n)), encoding="utf-8")
    print(f"wrote {n} template rows to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
