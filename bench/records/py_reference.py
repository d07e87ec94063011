"""Reference: pymongo (Debian python3-pymongo, C extensions) against the same server, one document per row as
netsentry stored them before decision 0063: insert_many(ordered=False) in batches of 1,000, then a find sorted
by _id and an unsorted find. Prints one JSON line per step.
  python3 bench/records/py_reference.py <csv.gz> <uri> [server_pid]"""
import csv, datetime, gzip, io, json, os, sys, time, threading
import pymongo, bson

path, uri = sys.argv[1], sys.argv[2]
pid = sys.argv[3] if len(sys.argv) > 3 else None

def server_cpu():
    if not pid: return 0.0
    f = open(f'/proc/{pid}/stat').read().split(') ')[1].split(' ')
    return (int(f[11]) + int(f[12])) / 100

def server_rss():
    if not pid: return 0.0
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
    return 0.0

def measure(step, fn):
    peak = [server_rss()]
    stop = threading.Event()
    def sample():
        while not stop.wait(0.1): peak[0] = max(peak[0], server_rss())
    t = threading.Thread(target=sample); t.start()
    c0, s0, w0 = time.process_time(), server_cpu(), time.perf_counter()
    rows = fn()
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    stop.set(); t.join()
    out = {'impl': f'pymongo {pymongo.version}', 'step': step, 'rows': rows, 'wall_s': round(wall, 2),
           'rows_per_s': round(rows / wall), 'client_cpu_s': round(cpu, 2)}
    if pid: out.update(server_cpu_s=round(server_cpu() - s0, 2), server_peak_rss_mb=round(peak[0]))
    print(json.dumps(out), flush=True)

def value(text):
    try:
        return float(text) if any(c in text for c in '.eE') else int(text)
    except ValueError:
        return text

client = pymongo.MongoClient(uri)
db = client[f'bench_records_py_{os.getpid()}']
coll = db['records']
try:
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', newline='') as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r in reader]
    now = datetime.datetime.utcnow()
    def load():
        n = 0
        for start in range(0, len(rows), 1000):
            docs = [{'_id': f'{"a" * 32}:{start + i + 2:010d}', 'values': {h: value(v) for h, v in zip(header, r)},
                     'loadedAt': now} for i, r in enumerate(rows[start:start + 1000])]
            n += len(coll.insert_many(docs, ordered=False).inserted_ids)
        return n
    measure('load (a document per row)', load)
    measure('find sorted by _id', lambda: sum(1 for _ in coll.find({}, sort=[('_id', 1)], batch_size=2000)))
    measure('find unsorted', lambda: sum(1 for _ in coll.find({}, batch_size=2000)))
finally:
    client.drop_database(db)
