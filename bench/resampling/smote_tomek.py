"""SMOTE-Tomek benchmark, Python side (scikit-learn + imbalanced-learn), the same steps as smote-tomek.ts.

NSL-KDD: ColumnTransformer(KNNImputer(3) + RobustScaler on numeric, KNNImputer(3) on binary, OneHotEncoder on
categorical), as bench/transform/run.py. Synthetic: SimpleImputer(median) + RobustScaler on numeric,
passthrough binary, OneHotEncoder on categorical (no value is missing there). Then SMOTETomek(random_state=42)
— k=5, Tomek links removing both members — timed alone. One JSON line per case, with the load average.
Usage (Debian's /usr/bin/python3): smote_tomek.py <case>...   case = nsl | synth:<csv>:<schema>:<rows>
"""
import json, os, sys, time
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, RobustScaler
from imblearn.combine import SMOTETomek
import sklearn, imblearn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def one_hot():
    if 'sparse_output' in OneHotEncoder().get_params():
        return OneHotEncoder(handle_unknown='ignore', sparse_output=False)
    return OneHotEncoder(handle_unknown='ignore', sparse=False)


def schema_columns(path):
    """(numeric, binary, categorical, target) column names from the schema's `columns:` block."""
    numeric, binary, categorical, target = [], [], [], None
    section = None
    for line in open(path):
        if line.startswith('target:'):
            section = 'target'
        elif line.startswith('columns:'):
            section = 'columns'
        elif section == 'target' and line.strip().startswith('column:'):
            target = line.split(':', 1)[1].strip()
        elif section == 'columns' and line.startswith('  ') and ':' in line:
            name, spec = line.strip().split(':', 1)
            if name == target:
                continue
            kind = spec.split('type:', 1)[1].split(',')[0].split('}')[0].strip()
            {'numeric': numeric, 'binary': binary, 'categorical': categorical}[kind].append(name)
    return numeric, binary, categorical, target


def case(arg):
    if arg == 'nsl':
        df = pd.read_csv(os.path.join(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'), na_values=['', 'na', 'NA', '?'])
        binary = ['land', 'logged_in', 'root_shell', 'is_host_login', 'is_guest_login']
        categorical = ['protocol_type', 'service', 'flag']
        y = (df['label'] != 'normal').astype(np.uint8).to_numpy()
        X = df.drop(columns=['label', 'difficulty'])
        numeric = [c for c in X.columns if c not in binary and c not in categorical]
        pre = ColumnTransformer([
            ('num', make_pipeline(KNNImputer(n_neighbors=3), RobustScaler()), numeric),
            ('bin', KNNImputer(n_neighbors=3), binary),
            ('cat', one_hot(), categorical),
        ])
        return 'nsl-kdd-train', X, y, pre
    kind, csv, schema, rows = arg.split(':')
    numeric, binary, categorical, target = schema_columns(schema)
    df = pd.read_csv(csv, nrows=int(rows))
    y = (df[target] != 'normal').astype(np.uint8).to_numpy()
    X = df.drop(columns=[target])
    pre = ColumnTransformer([
        ('num', make_pipeline(SimpleImputer(strategy='median'), RobustScaler()), numeric),
        ('bin', 'passthrough', binary),
        ('cat', one_hot(), categorical),
    ])
    return f'synth-{rows}', X, y, pre


for arg in sys.argv[1:]:
    name, X, y, pre = case(arg)
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    Xt = pre.fit_transform(X)
    preprocess = time.perf_counter() - t
    t = time.perf_counter()
    Xr, yr = SMOTETomek(random_state=42).fit_resample(Xt, y)
    resample = time.perf_counter() - t
    balanced = len(y) + abs(int(y.sum()) * 2 - len(y))
    print(json.dumps({
        'side': 'py', 'case': name,
        'impl': f'scikit-learn {sklearn.__version__} + imbalanced-learn {imblearn.__version__}',
        'rows_in': int(len(y)), 'cols': int(Xt.shape[1]),
        'preprocess_s': preprocess, 'smote_tomek_s': resample,
        'synthetic': balanced - len(y), 'tomek_removed': balanced - int(len(yr)), 'rows_out': int(len(yr)),
        'before': {'negative': int((y == 0).sum()), 'positive': int((y == 1).sum())},
        'after': {'negative': int((yr == 0).sum()), 'positive': int((yr == 1).sum())},
        'load_before': round(load_before, 2), 'load_after': round(os.getloadavg()[0], 2),
    }), flush=True)
