package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
)

// TestComplianceGate asserts that the cdk-nag packs ran on every stack and
// left no unsuppressed error: no error annotation in the cloud assembly (what
// makes `cdk synth` fail) and no non-compliant line in any pack's report.
func TestComplianceGate(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			a := synth(t, p.name)
			for _, e := range errorAnnotations(t, a.dir) {
				t.Errorf("unsuppressed error: %s", e)
			}
			for _, pack := range compliance.Packs {
				for _, tpl := range a.list() { // every stack, every governed region's baselines included
					f, _ := tpl.Facts()
					stack := f.StackName
					report := filepath.Join(a.dir, pack+"--"+stack+"-NagReport.json" /* cdk-nag leaves the stage name between the dashes empty */)
					data, err := os.ReadFile(report)
					if err != nil {
						t.Errorf("pack %s did not report on %s: %v", pack, stack, err)
						continue
					}
					var r struct {
						Lines []struct {
							RuleID, ResourceID, Compliance, RuleInfo string
						} `json:"lines"`
					}
					if err := json.Unmarshal(data, &r); err != nil {
						t.Fatalf("%s: %v", report, err)
					}
					if len(r.Lines) == 0 {
						t.Errorf("%s: empty report", report)
					}
					for _, l := range r.Lines {
						if l.Compliance == "Non-Compliant" {
							t.Errorf("%s: %s on %s: %s", pack, l.RuleID, l.ResourceID, l.RuleInfo)
						}
					}
				}
			}
		})
	}
}

// errorAnnotations returns the error-level metadata of every stack in the
// cloud assembly's manifest.
func errorAnnotations(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Artifacts map[string]struct {
			Metadata map[string][]struct {
				Type string `json:"type"`
				Data any    `json:"data"`
			} `json:"metadata"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, art := range m.Artifacts {
		for path, entries := range art.Metadata {
			for _, e := range entries {
				if e.Type == "aws:cdk:error" {
					out = append(out, path+": "+jsonOf(e.Data))
				}
			}
		}
	}
	return out
}
