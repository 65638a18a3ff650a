"""Validate every rendered Kubernetes object strictly (unknown fields rejected) against the
schemas kubernetes-validate ships for one Kubernetes version. Custom resources
(monitoring.coreos.com) are skipped here: they are checked against the prometheus-operator schemas.

  validate_k8s.py --kube-version 1.37.0 FILE...
  validate_k8s.py --kube-version 1.37.0 --expect-fail-planted FILE   (self-check: a planted
      unknown field in each object's spec must be rejected)
"""
import argparse
import copy
import sys

import kubernetes_validate
import yaml

CUSTOM_GROUPS = ("monitoring.coreos.com/",)


def objects(path):
    for doc in yaml.safe_load_all(open(path)):
        if doc:
            yield doc


def validate(doc, version):
    return kubernetes_validate.validate(doc, version, strict=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kube-version", required=True)
    ap.add_argument("--expect-fail-planted", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    failed = checked = skipped = 0
    kinds = set()
    for path in args.files:
        for doc in objects(path):
            ident = f"{path.rsplit('/', 1)[-1]}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            if doc.get("apiVersion", "").startswith(CUSTOM_GROUPS):
                skipped += 1
                continue
            checked += 1
            kinds.add(f"{doc['apiVersion']} {doc['kind']}")
            if args.expect_fail_planted:
                planted = copy.deepcopy(doc)
                target = planted.get("spec") or planted.get("data") or planted.setdefault("metadata", {})
                target["unknownFieldPlantedByTest"] = True
                if doc.get("kind") == "ConfigMap":
                    planted["unknownFieldPlantedByTest"] = True
                try:
                    validate(planted, args.kube_version)
                    failed += 1
                    print(f"FAIL {ident}: planted unknown field was accepted")
                except kubernetes_validate.ValidationError as e:
                    print(f"ok   {ident}: rejected planted field ({e.message[:80]})")
                continue
            try:
                v = validate(doc, args.kube_version)
                print(f"ok   {ident} (k8s {v})")
            except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as e:
                failed += 1
                print(f"FAIL {ident}: {getattr(e, 'message', e)} at {'.'.join(str(p) for p in getattr(e, 'path', []))}")
    print(f"kinds: {', '.join(sorted(kinds))}")
    print(f"kubernetes-validate {kubernetes_validate.__version__} strict k8s {args.kube_version}: "
          f"{checked} objects, {failed} failed, {skipped} custom resources left to the CRD checks")
    sys.exit(1 if failed or not checked else 0)


if __name__ == "__main__":
    main()
