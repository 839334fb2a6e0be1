package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSnapshots compares each stack's template, per profile, with its golden
// file under testdata/<profile>/. Run `make snapshot` (go test ./test -update)
// to rewrite them, then read the diff of every golden file before committing.
func TestSnapshots(t *testing.T) {
	t.Parallel()
	for _, p := range profiles {
		if !p.golden {
			continue
		}
		a := synth(t, p.name)
		goldens, _ := filepath.Glob(filepath.Join("testdata", p.name, "*.template.json"))
		for _, g := range goldens {
			if id := strings.TrimSuffix(filepath.Base(g), ".template.json"); a.templates[id] == nil && !*update {
				t.Errorf("%s: no such stack any more; delete the golden file", g)
			}
		}
		for _, tpl := range a.list() {
			id := strings.TrimSuffix(filepath.Base(tpl.Name), ".template.json")
			t.Run(p.name+"/"+id, func(t *testing.T) {
				got := normalize(tpl.Clone().Body)
				golden := filepath.Join("testdata", p.name, id+".template.json")
				if *update {
					writeJSON(t, golden, got)
					return
				}
				data, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run make snapshot to create it)", err)
				}
				var want any
				if err := json.Unmarshal(data, &want); err != nil {
					t.Fatalf("%s: %v", golden, err)
				}
				if diff := cmp.Diff(want, any(got)); diff != "" {
					t.Errorf("%s differs from the synthesized template (-golden +synthesized):\n%s\nIf the change is intended, run make snapshot and review the golden diff.", golden, diff)
				}
			})
		}
	}
}

var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// normalize removes what differs between machines and CDK bootstrap
// versions: asset hashes, the bootstrap version parameter and rule, and the
// CDK version-reporting resource.
func normalize(body map[string]any) map[string]any {
	if ps, ok := body["Parameters"].(map[string]any); ok {
		delete(ps, "BootstrapVersion")
		if len(ps) == 0 {
			delete(body, "Parameters")
		}
	}
	if rs, ok := body["Rules"].(map[string]any); ok {
		delete(rs, "CheckBootstrapVersion")
		if len(rs) == 0 {
			delete(body, "Rules")
		}
	}
	if rs, ok := body["Resources"].(map[string]any); ok {
		delete(rs, "CDKMetadata")
	}
	if cs, ok := body["Conditions"].(map[string]any); ok {
		delete(cs, "CDKMetadataAvailable")
		if len(cs) == 0 {
			delete(body, "Conditions")
		}
	}
	return replaceStrings(body, func(s string) string { return assetHash.ReplaceAllString(s, "ASSET_HASH") }).(map[string]any)
}

func replaceStrings(v any, f func(string) string) any {
	switch v := v.(type) {
	case string:
		return f(v)
	case []any:
		for i := range v {
			v[i] = replaceStrings(v[i], f)
		}
	case map[string]any:
		for k := range v {
			v[k] = replaceStrings(v[k], f)
		}
	}
	return v
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
