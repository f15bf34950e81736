"""A pre-send check as an agent tool would run it: one draft in, a verdict and reasons out.

    python examples/presend_check.py "I am sorry but I cannot help you with your query from here." "My refund never arrived!"
"""
import sys

from replycoach import Coach, Policy

coach = Coach(policy=Policy(min_empathy_distressed=0.3))  # load once, keep it for the whole session
draft = sys.argv[1] if len(sys.argv) > 1 else "As I already said, it's company policy."
customer = sys.argv[2] if len(sys.argv) > 2 else "Third time asking: where is my refund for order #55812?"

report = coach.check(draft, customer=customer)
print(report.verdict.upper())
for reason in report.reasons:
    print(" -", reason)
for f in report.findings:
    print(f"   [{f.severity}] {f.text!r} -> {f.suggestion or f.message}")
if report.verdict == "review":
    for rw in coach.rewrite(draft, customer=customer)[:1]:
        print("\nSuggested rewrite:\n" + rw.text)
