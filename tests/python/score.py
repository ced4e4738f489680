#!/usr/bin/env python3
# A copy of the development set's scorer (../shared/devset/score.py), kept here unchanged
# but for this comment so that tests/score_parity.rs can check search-eval against it
# without the shared folder.
"""Search-quality scorer for the development set beside this file, run against a live voter-lookup HTTP door.

Usage: score.py roll.csv queries.jsonl http://127.0.0.1:8080 [--limit 5] [--out report.md] [--max N]
Start the server with `--rate-limit off` (one sequential client would otherwise trip the anonymous limit).
A hit@k: the expected voter (birth name, given names, birth date, station code) is within the top k results.
Without a birth date in the query, homonyms cannot be told apart, so k widens to the number of voters
sharing the target's normalised surname and first given name; for kiosk prefixes and second-given-name
queries, to the number of voters that fit the query as well as the target (more than 20: not scored).
Not-on-roll queries: a false match is any result whose confidence is exact/strong (or, when the service
gives no confidence, any result at all).
"""
import csv, json, sys, time, unicodedata, urllib.parse, urllib.request, collections, argparse

TARGETS = {  # category -> (min recall@1, min recall@5), percent
    "exact": (99.5, 100), "lower_noaccent": (99.5, 100), "punctuation": (99.5, 100),
    "prenom_first": (99.5, 100), "with_birthdate": (99.5, 100),
    "typo1_surname": (97, 99.5), "usage_name": (97, 99.5),
    "typo2_surname": (90, 98), "phonetic": (90, 98),
    "prefix": (85, 97), "second_prenom": (85, 97),
}
FALSE_MATCH_MAX = 0.5

def norm(s):
    s = unicodedata.normalize("NFKD", (s or "").upper())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())

def iso(d):
    d = (d or "").strip()
    p = d.split("/")
    if len(p) == 3 and p[0] != "00":
        return f"{p[2]}-{p[1]}-{p[0]}"
    return p[-1] if p else d

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("roll"); ap.add_argument("queries"); ap.add_argument("base")
    ap.add_argument("--limit", type=int, default=5); ap.add_argument("--out")
    ap.add_argument("--max", type=int, default=0, help="only the first N queries per category")
    a = ap.parse_args()
    # voters a query without birth date cannot tell apart: same surname (birth or usage) and same first given name
    homonyms = collections.Counter()
    voters = []  # (surnames, given names), for the queries that several voters fit equally well
    with open(a.roll, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            gn = norm(r["prénoms"]).split()
            sns = {norm(r["nom de naissance"]), norm(r["nom d'usage"])} - {""}
            for sn in sns:
                homonyms[(sn, tuple(gn[:1]))] += 1
            voters.append((sns, gn))
    by_initial = collections.defaultdict(list)
    for sns, gn in voters:
        for sn in sns:
            by_initial[sn[:1]].append((sn, sn.replace(" ", ""), gn))
    def fitting(q):
        """Voters that fit the query as well as the target does, where that is decidable:
        prefix (every voter whose surname starts with the surname part and who has a given name
        starting with the last token) and second_prenom (same surname, that given name anywhere)."""
        toks = norm(q["q"]).split()
        if len(toks) < 2:
            return 0
        sp, gp = " ".join(toks[:-1]), toks[-1]
        if q["category"] == "prefix":
            spj = sp.replace(" ", "")
            ids = {id(gn) for sn, snj, gn in by_initial[sp[:1]]
                   if (sn.startswith(sp) or snj.startswith(spj)) and any(g.startswith(gp) for g in gn)}
            return len(ids)
        if q["category"] == "second_prenom":
            return len({id(gn) for sn, snj, gn in by_initial[sp[:1]] if sn == sp and gp in gn})
        return 0
    AMBIGUOUS_MAX = 20  # a query that more voters fit than the service is asked to return is not scored
    ambiguous = collections.Counter()
    per = collections.defaultdict(lambda: [0, 0, 0])  # n, hit1, hit5
    fm = [0, 0]; lat = []; errors = collections.Counter(); seen = collections.Counter()
    for line in open(a.queries, encoding="utf-8"):
        q = json.loads(line)
        cat = q["category"]
        if a.max and seen[cat] >= a.max:
            continue
        seen[cat] += 1
        params = {"q": q["q"], "limit": str(max(a.limit, 20))}
        if q.get("birth_date"):
            params["birth_date"] = q["birth_date"]
        url = a.base + "/v1/search?" + urllib.parse.urlencode(params)
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = json.load(resp)
        except Exception as e:  # count and go on: an error is a miss
            errors[type(e).__name__] += 1
            body = {"results": []}
        lat.append(time.perf_counter() - t0)
        res = body.get("results") or []
        exp = q.get("expect")
        if exp is None:
            fm[0] += 1
            conf = [str(r.get("confidence", "")).lower() for r in res[:1]]
            if res and (not conf[0] or conf[0] in ("exact", "strong")):
                fm[1] += 1
            continue
        def same(r):
            v = r.get("voter", {}); st = r.get("station") or {}
            return (norm(v.get("birth_name")) == norm(exp["nom_naissance"]) and norm(v.get("first_names")) == norm(exp["prenoms"])
                    and str(v.get("birth_date", "")) == iso(exp["date_naissance"]) and str(st.get("code", "")) == exp["code_bureau"])
        widen = 1 if q.get("birth_date") else homonyms[(norm(exp["nom_naissance"]), tuple(norm(exp["prenoms"]).split()[:1]))]
        if not q.get("birth_date") and cat in ("prefix", "second_prenom"):
            fit = fitting(q)
            if fit > AMBIGUOUS_MAX:
                ambiguous[cat] += 1
                continue
            widen = max(widen, fit)
        rank = next((i for i, r in enumerate(res) if same(r)), None)
        s = per[cat]; s[0] += 1
        if rank is not None and rank < max(1, widen): s[1] += 1
        if rank is not None and rank < max(5, widen): s[2] += 1
    lines = ["| category | n | recall@1 | recall@5 | target @1/@5 | ok |", "|---|---|---|---|---|---|"]
    fails = []
    for cat in sorted(per):
        n, h1, h5 = per[cat]
        r1, r5 = 100 * h1 / n, 100 * h5 / n
        t = TARGETS.get(cat)
        ok = t is None or (r1 >= t[0] and r5 >= t[1])
        if not ok: fails.append(cat)
        lines.append(f"| {cat} | {n} | {r1:.1f}% | {r5:.1f}% | {t[0] if t else '-'} / {t[1] if t else '-'} | {'yes' if ok else 'NO'} |")
    fmr = 100 * fm[1] / fm[0] if fm[0] else 0.0
    if fm[0] and fmr > FALSE_MATCH_MAX: fails.append("not_on_roll")
    lines.append(f"| not_on_roll | {fm[0]} | false match {fmr:.1f}% | | ≤ {FALSE_MATCH_MAX}% | {'yes' if fmr <= FALSE_MATCH_MAX else 'NO'} |")
    lat.sort()
    pct = lambda p: 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0
    if ambiguous:
        lines.append(f"\nnot scored, more than {AMBIGUOUS_MAX} voters fit equally well: {dict(ambiguous)}")
    lines.append(f"\nsingle-client latency ms: p50 {pct(.5):.2f} p95 {pct(.95):.2f} p99 {pct(.99):.2f}; errors {dict(errors)}")
    report = "\n".join(lines)
    if a.out:
        open(a.out, "w").write(report + "\n")
    print(report)
    allq = sum(v[0] for v in per.values())
    tot1 = 100 * sum(v[1] for v in per.values()) / allq if allq else 0
    tot5 = 100 * sum(v[2] for v in per.values()) / allq if allq else 0
    print(f"recall@1 {tot1:.1f}% recall@5 {tot5:.1f}% false-match {fmr:.1f}%; categories short: {','.join(fails) or 'none'}")
    sys.exit(1 if fails or errors else 0)

if __name__ == "__main__":
    main()
