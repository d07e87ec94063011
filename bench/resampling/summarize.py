"""Side-by-side table of bench/resampling/run.sh's JSON lines (ours, then imbalanced-learn's). A case the
Python side did not run is extrapolated from its two largest measured synthetic sizes (t ∝ n^b, b fitted
between them) and marked as such."""
import json, math, sys

ts = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
py = {r['case']: r for r in (json.loads(l) for l in open(sys.argv[2]) if l.startswith('{'))}
measured = sorted((r['rows_in'], r['smote_tomek_s']) for r in py.values() if r['case'].startswith('synth-'))


def extrapolate(rows):
    if len(measured) < 2:
        return None, None
    (n1, t1), (n2, t2) = measured[-2], measured[-1]
    b = math.log(t2 / t1) / math.log(n2 / n1)
    return t2 * (rows / n2) ** b, b


print('| case | rows in | features (ours / sklearn) | ours: SMOTE-Tomek s | ours: CPU s, all threads | imbalanced-learn s | ours ÷ imblearn '
      '| synthetic (ours / imblearn) | Tomek removed (ours / imblearn) | rows out (ours / imblearn) | load before → after (ours; imblearn) |')
print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
for r in ts:
    p = py.get(r['case'])
    if p:
        ref = f"{p['smote_tomek_s']:.1f}"
        ratio = f"{r['smote_tomek_s'] / p['smote_tomek_s']:.3f}×"
        extra = (f"{p['cols']}", f"{p['synthetic']:,}", f"{p['tomek_removed']:,}", f"{p['rows_out']:,}",
                 f"{p['load_before']} → {p['load_after']}")
    else:
        est, b = extrapolate(r['rows_in'])
        ref = f"≈ {est:.0f} (extrapolated, n^{b:.2f})" if est else 'not run'
        ratio = f"≈ {r['smote_tomek_s'] / est:.3f}×" if est else ''
        extra = ('–', '–', '–', '–', 'not run')
    print(f"| {r['case']} | {r['rows_in']:,} | {r['cols']} / {extra[0]} | {r['smote_tomek_s']:.1f} | {r.get('process_cpu_s', r.get('main_thread_cpu_s', 0)):.1f} | {ref} | {ratio} "
          f"| {r['synthetic']:,} / {extra[1]} | {r['tomek_removed']:,} / {extra[2]} | {r['rows_out']:,} / {extra[3]} "
          f"| {r['load_before']} → {r['load_after']}; {extra[4]} |")
