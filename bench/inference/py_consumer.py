"""The consumer a user might write instead of netsentry's inference service (run with /usr/bin/python3:
Debian's confluent-kafka 1.7 on librdkafka, xgboost 1.7, numpy).

It trains native XGBoost on the same dataset file (100 rounds, depth 6, hist, one-hot for categoricals),
then consumes JSON records ({"recordId", "features": {...}}) in batches of up to 5,000, builds one matrix per
batch, predicts, produces one JSON prediction per record keyed by record id, flushes, and commits the
offsets synchronously after each batch: at-least-once (a crash between produce and commit duplicates
predictions), which is what such a script gives without Kafka transactions.

With a 7th argument `exactly-once`, the same loop in one Kafka transaction per batch (KIP-447: the
predictions and the consumed offsets commit together, `send_offsets_to_transaction`), as the service does:
the reference for what exactly-once costs in latency on this machine. `retry.backoff.ms` is 5 there, as in
the service (decision 0106): at librdkafka's default of 100 ms, the transaction after a commit waits out
CONCURRENT_TRANSACTIONS retries.

Usage: py_consumer.py <schema-kind phishing|nsl-kdd> <data csv or csv.gz> <brokers> <in topic> <out topic> <group> [exactly-once]
Prints READY once it has partitions, then runs until killed.
"""

import csv
import gzip
import json
import sys

import numpy as np
import xgboost as xgb
from confluent_kafka import Consumer, Producer

kind, data_path, brokers, in_topic, out_topic, group = sys.argv[1:7]
exactly_once = len(sys.argv) > 7 and sys.argv[7] == "exactly-once"
opener = gzip.open if data_path.endswith(".gz") else open
with opener(data_path, "rt", newline="") as f:
    rows = list(csv.DictReader(f))

if kind == "phishing":
    target, positive, categorical, dropped = "Result", lambda v: v == "-1", [], []
else:
    target, positive, categorical, dropped = "label", lambda v: v != "normal", ["protocol_type", "service", "flag"], ["difficulty"]
features = [c for c in rows[0].keys() if c not in (target, *dropped)]
numeric = [c for c in features if c not in categorical]
levels = {c: sorted({r[c] for r in rows}) for c in categorical}
index = {c: {v: i for i, v in enumerate(levels[c])} for c in categorical}
width = len(numeric) + sum(len(levels[c]) for c in categorical)


def vector(values):
    out = np.zeros(width, dtype=np.float32)
    for j, c in enumerate(numeric):
        v = values.get(c)
        out[j] = np.nan if v is None or v == "" else float(v)
    base = len(numeric)
    for c in categorical:
        i = index[c].get(str(values.get(c)))
        if i is not None:
            out[base + i] = 1.0
        base += len(levels[c])
    return out


X = np.stack([vector(r) for r in rows])
y = np.array([1 if positive(r[target]) else 0 for r in rows])
booster = xgb.train(
    {"max_depth": 6, "eta": 0.3, "objective": "binary:logistic", "tree_method": "hist", "nthread": 1},
    xgb.DMatrix(X, label=y),
    num_boost_round=100,
)

consumer = Consumer(
    {
        "bootstrap.servers": brokers,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    }
)
settings = {"bootstrap.servers": brokers, "acks": "all", "linger.ms": 5, "enable.idempotence": True}
if exactly_once:
    settings.update({"transactional.id": f"{group}.tx", "retry.backoff.ms": 5, "linger.ms": 1})
producer = Producer(settings)
if exactly_once:
    producer.init_transactions()
ready = False


def on_assign(c, partitions):
    global ready
    if not ready:
        ready = True
        print("READY", flush=True)


consumer.subscribe([in_topic], on_assign=on_assign)
while True:
    batch = consumer.consume(num_messages=5000, timeout=0.05)
    if not batch:
        continue
    records = []
    for m in batch:
        if m.error():
            continue
        try:
            records.append(json.loads(m.value()))
        except ValueError:
            continue
    if exactly_once:
        producer.begin_transaction()
    if records:
        matrix = np.stack([vector(r.get("features", r)) for r in records])
        scores = booster.predict(xgb.DMatrix(matrix))
        for r, s in zip(records, scores):
            s = float(s)
            producer.produce(
                out_topic,
                key=str(r["recordId"]),
                value=json.dumps({"recordId": r["recordId"], "score": s, "malicious": s >= 0.5}),
            )
    if exactly_once:
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()), consumer.consumer_group_metadata()
        )
        producer.commit_transaction()
    else:
        producer.flush()
        consumer.commit(asynchronous=False)
