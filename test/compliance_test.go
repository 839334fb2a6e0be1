package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
)

// TestComplianceGate asserts that the cdk-nag packs left no unsuppressed
// finding: no error annotation in the cloud assembly (what makes `cdk
// synth` fail) and no pack's warning either. Where the packs wrote their
// reports (nagReports), every pack reported on every stack, every governed
// region's baselines included, and no report has a non-compliant line.
func TestComplianceGate(t *testing.T) {
	t.Parallel()
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			a := synth(t, p.name)
			for _, e := range annotations(t, a.dir) {
				if e.level == "aws:cdk:error" || isNagFinding(e.message) {
					t.Errorf("unsuppressed %s at %s: %s", e.level, e.path, e.message)
				}
			}
			if !a.nagReports {
				return
			}
			for _, pack := range compliance.Packs {
				for _, tpl := range a.list() {
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

// isNagFinding reports whether an annotation's message is a cdk-nag pack's
// finding ("<pack>-<rule>: ...") or a rule that could not decide
// ("CdkNagValidationFailure[<rule>]: ...").
func isNagFinding(message string) bool {
	if strings.HasPrefix(message, "CdkNagValidationFailure[") {
		return true
	}
	for _, pack := range compliance.Packs {
		if strings.HasPrefix(message, pack+"-") {
			return true
		}
	}
	return false
}

// annotation is one error or warning in a cloud assembly's manifest.
type annotation struct{ level, path, message string }

// annotations returns the error and warning metadata of every stack in the
// cloud assembly's manifest.
func annotations(t *testing.T, dir string) []annotation {
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
	var out []annotation
	for _, art := range m.Artifacts {
		for path, entries := range art.Metadata {
			for _, e := range entries {
				if e.Type == "aws:cdk:error" || e.Type == "aws:cdk:warning" {
					msg, ok := e.Data.(string)
					if !ok {
						msg = jsonOf(e.Data)
					}
					out = append(out, annotation{e.Type, path, msg})
				}
			}
		}
	}
	return out
}
