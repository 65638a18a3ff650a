// crdcheck strictly decodes rendered prometheus-operator objects (ServiceMonitor,
// PrometheusRule) into the operator's own Go API types: unknown fields, wrong types and
// unparsable rule expressions are errors. Usage: crdcheck FILE... (multi-document YAML).
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"
)

type meta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func check(doc []byte) (string, error) {
	var m meta
	if err := yaml.Unmarshal(doc, &m); err != nil {
		return "", err
	}
	id := fmt.Sprintf("%s %s/%s", m.APIVersion, m.Kind, m.Metadata.Name)
	if m.APIVersion != monitoringv1.SchemeGroupVersion.String() {
		return "", nil
	}
	switch m.Kind {
	case monitoringv1.ServiceMonitorsKind:
		var o monitoringv1.ServiceMonitor
		if err := yaml.UnmarshalStrict(doc, &o); err != nil {
			return id, err
		}
		if len(o.Spec.Endpoints) == 0 {
			return id, fmt.Errorf("spec.endpoints is empty")
		}
	case monitoringv1.PrometheusRuleKind:
		var o monitoringv1.PrometheusRule
		if err := yaml.UnmarshalStrict(doc, &o); err != nil {
			return id, err
		}
		for _, g := range o.Spec.Groups {
			for _, r := range g.Rules {
				if (r.Alert == "") == (r.Record == "") {
					return id, fmt.Errorf("group %s: a rule needs exactly one of alert/record", g.Name)
				}
				if r.Expr.String() == "" {
					return id, fmt.Errorf("group %s rule %s%s: empty expr", g.Name, r.Alert, r.Record)
				}
			}
		}
	default:
		return id, fmt.Errorf("unexpected kind %s", m.Kind)
	}
	return id, nil
}

func main() {
	failed := 0
	checked := 0
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		dec := yamlv3.NewDecoder(bytes.NewReader(data))
		for {
			var node yamlv3.Node
			if err := dec.Decode(&node); err == io.EOF {
				break
			} else if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
				os.Exit(2)
			}
			raw, err := yamlv3.Marshal(&node)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			id, err := check(raw)
			if id == "" && err == nil {
				continue
			}
			checked++
			if err != nil {
				failed++
				fmt.Printf("FAIL %s: %s: %v\n", path, id, err)
			} else {
				fmt.Printf("ok   %s: %s\n", path, id)
			}
		}
	}
	fmt.Printf("crdcheck: %d objects, %d failed\n", checked, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
