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
	var stale []string
	for _, p := range profiles {
		if !p.golden {
			continue
		}
		a := synth(t, p.name)
		goldens, _ := filepath.Glob(filepath.Join("testdata", p.name, "*.template.json"))
		for _, g := range goldens {
			if id := strings.TrimSuffix(filepath.Base(g), ".template.json"); a.templates[id] == nil && !*update {
				t.Logf("%s: no such stack any more", g)
				stale = append(stale, g+" (delete it)")
			}
		}
		for _, tpl := range a.list() {
			id := strings.TrimSuffix(filepath.Base(tpl.Name), ".template.json")
			got := normalize(tpl.Clone().Body)
			golden := filepath.Join("testdata", p.name, id+".template.json")
			if *update {
				writeJSON(t, golden, got)
				continue
			}
			if diff := goldenDiff(golden, got); diff != "" {
				t.Logf("%s differs from the synthesized template (-golden +synthesized):\n%s", golden, diff)
				stale = append(stale, golden)
			}
		}
	}
	// One failure for all of them: they are stale for one reason, a change
	// not yet snapshotted, and one command fixes them.
	if len(stale) > 0 {
		t.Errorf("%d golden template(s) differ from the synthesis (diffs above): %s.\nRun make snapshot, then review the golden diff (git diff test/testdata) before committing.", len(stale), strings.Join(stale, ", "))
	}
}

// goldenDiff returns how the golden file differs from got ("" for not at
// all), or why it cannot be read.
func goldenDiff(golden string, got map[string]any) string {
	data, err := os.ReadFile(golden)
	if err != nil {
		return err.Error()
	}
	var want any
	if err := json.Unmarshal(data, &want); err != nil {
		return golden + ": " + err.Error()
	}
	return cmp.Diff(want, any(got))
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
