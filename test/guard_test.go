package test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secure-webapp/secure-webapp/controls"
)

// The second line of proof: AWS Control Tower's proactive controls, as the
// cfn-guard rules that the npm package @cdklabs/cdk-validator-cfnguard ships
// with its cfn-guard binary (pinned in package.json, installed by npm ci).
// They run on the templates the other tests already synthesized; every
// failure must be acknowledged in controls.GuardExceptions.

const guardPackage = "../node_modules/@cdklabs/cdk-validator-cfnguard"

// guardBinaryPath returns the cfn-guard binary the package ships for this
// machine.
func guardBinaryPath() (string, error) {
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	bin := filepath.Join(guardPackage, "bin", osDir, archDir, "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("no cfn-guard binary for %s/%s (%v): run npm ci first (make test does)", runtime.GOOS, runtime.GOARCH, err)
	}
	return bin, nil
}

var reType = regexp.MustCompile(`"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"`)

// guardRules returns the rule files (of the service directory dir, or of
// all when dir is "") that can apply to templates: those that name a resource
// type the templates have, or name none. A rule on an absent type has nothing
// to check.
func guardRules(templates []*controls.Template, dir string) ([]string, error) {
	present := map[string]bool{}
	for _, tpl := range templates {
		for _, r := range tpl.Body["Resources"].(map[string]any) {
			typ, _ := r.(map[string]any)["Type"].(string)
			present[typ] = true
		}
	}
	var rules []string
	err := filepath.WalkDir(filepath.Join(guardPackage, "rules", "control-tower", "cfn-guard", dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".guard") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		types := reType.FindAllStringSubmatch(string(src), -1)
		use := len(types) == 0
		for _, m := range types {
			use = use || present[m[1]]
		}
		if use {
			rules = append(rules, p)
		}
		return nil
	})
	return rules, err
}

// guardFinding is one resource that one Control Tower control fails on.
type guardFinding struct {
	template, rule, resource string // resource: construct path
}

// guardVerdict is what cfn-guard found on one template: each Control Tower
// control that fails, with the logical ID of the resource it fails on.
type guardVerdict []struct{ Rule, Resource string }

// findings names the resources of a verdict by their construct paths in tpl.
func (v guardVerdict) findings(tpl *controls.Template) []guardFinding {
	var out []guardFinding
	for _, f := range v {
		path := f.Resource
		if r, ok := tpl.Resource(f.Resource); ok {
			path = r.Path()
		}
		out = append(out, guardFinding{filepath.Base(tpl.Name), f.Rule, path})
	}
	return out
}

var (
	reCTID     = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\]`)
	reResource = regexp.MustCompile(`^/Resources/([A-Za-z0-9]+)`)
)

// runGuard validates the template file against the rules and returns what
// fails.
func runGuard(bin string, rules []string, file string) (guardVerdict, error) {
	// --structured prints one JSON list and takes cfn-guard half the time
	// of its default JSON stream.
	args := []string{"validate", "--output-format", "json", "--structured", "--show-summary", "none", "--data", file}
	for _, r := range rules {
		args = append(args, "--rules", r)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	if nice, err := exec.LookPath("nice"); err == nil {
		// Below the syntheses it overlaps, which the tests wait for.
		cmd = exec.Command(nice, append([]string{"-n", "10", bin}, args...)...)
	}
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	// cfn-guard exits 19 when a rule fails; anything else is an error.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 19) {
		return nil, fmt.Errorf("cfn-guard: %v\n%s", err, stderr.String())
	}
	var docs []struct {
		NotCompliant []any `json:"not_compliant"`
	}
	if err := json.Unmarshal(out.Bytes(), &docs); err != nil {
		return nil, fmt.Errorf("cfn-guard output: %v", err)
	}
	verdict := guardVerdict{}
	for _, doc := range docs {
		for _, nc := range doc.NotCompliant {
			var ids, resources []string
			walkGuard(nc, &ids, &resources)
			for _, id := range unique(ids) {
				for _, res := range unique(resources) {
					verdict = append(verdict, struct{ Rule, Resource string }{id, res})
				}
			}
		}
	}
	return verdict, nil
}

// walkGuard collects the control IDs (from the rules' messages) and the
// logical IDs (from the paths the checks traversed) of one failure.
func walkGuard(v any, ids, resources *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				if k == "custom_message" {
					for _, m := range reCTID.FindAllStringSubmatch(s, -1) {
						*ids = append(*ids, m[1])
					}
				}
				if k == "path" {
					if m := reResource.FindStringSubmatch(s); m != nil {
						*resources = append(*resources, m[1])
					}
				}
			}
			walkGuard(x, ids, resources)
		}
	case []any:
		for _, x := range v {
			walkGuard(x, ids, resources)
		}
	}
}

func unique(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// guardCache keeps cfn-guard's verdicts between test runs, as Go's build
// cache keeps compiled packages: each under the hash of all it depends on
// (the binary, the rule files and the template's bytes), so a template that
// changed, or a new binary or rule, is checked afresh and an unchanged one is
// not checked again. The exceptions are applied after, never cached.
// SECURE_WEBAPP_GUARD_CACHE names another directory, or "off"; entries
// unused for five days are removed.
type guardCache struct {
	dir  string // "" when off
	tool [sha256.Size]byte
}

const guardCacheUnused = 5 * 24 * time.Hour

var (
	theGuardCache     *guardCache
	theGuardCacheOnce sync.Once
)

// openGuardCache returns the cache of verdicts of the cfn-guard binary bin.
func openGuardCache(bin string) *guardCache {
	theGuardCacheOnce.Do(func() {
		c := &guardCache{}
		theGuardCache = c
		dir := os.Getenv("SECURE_WEBAPP_GUARD_CACHE")
		if dir == "off" {
			return
		}
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				return
			}
			dir = filepath.Join(base, "secure-webapp", "cfn-guard")
		}
		data, err := os.ReadFile(bin)
		if err != nil || os.MkdirAll(dir, 0o755) != nil {
			return
		}
		c.dir, c.tool = dir, sha256.Sum256(data)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > guardCacheUnused {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	})
	return theGuardCache
}

// key is the cache key of cfn-guard's verdict on template with rules.
func (c *guardCache) key(rules []string, template []byte) (string, error) {
	h := sha256.New()
	h.Write(c.tool[:])
	for _, r := range rules {
		src, err := os.ReadFile(r)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(r), len(src))
		h.Write(src)
	}
	fmt.Fprintf(h, "template %d\n", len(template))
	h.Write(template)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (c *guardCache) get(key string) (guardVerdict, bool) {
	if c.dir == "" {
		return nil, false
	}
	file := filepath.Join(c.dir, key+".json")
	data, err := os.ReadFile(file)
	var v guardVerdict
	if err != nil || json.Unmarshal(data, &v) != nil {
		return nil, false
	}
	now := time.Now()
	os.Chtimes(file, now, now) // used: kept for another five days
	return v, true
}

func (c *guardCache) put(key string, v guardVerdict) {
	if c.dir == "" {
		return
	}
	data, _ := json.Marshal(v)
	tmp, err := os.CreateTemp(c.dir, key+".*.tmp")
	if err != nil {
		return
	}
	_, err = tmp.Write(data)
	if tmp.Close() != nil || err != nil {
		os.Remove(tmp.Name())
		return
	}
	os.Rename(tmp.Name(), filepath.Join(c.dir, key+".json"))
}

// verdict is cfn-guard's verdict on tpl's file, from the cache if it has
// it. At most one cfn-guard process per processor runs at once, at a lower
// priority than the syntheses (runGuard).
func (c *guardCache) verdict(bin string, tpl *controls.Template) (guardVerdict, error) {
	rules, err := guardRules([]*controls.Template{tpl}, "")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(tpl.Name)
	if err != nil {
		return nil, err
	}
	key, err := c.key(rules, data)
	if err != nil {
		return nil, err
	}
	if v, ok := c.get(key); ok {
		return v, nil
	}
	guardSlots <- struct{}{}
	v, err := runGuard(bin, rules, tpl.Name)
	<-guardSlots
	if err == nil {
		c.put(key, v)
	}
	return v, err
}

var guardSlots = make(chan struct{}, runtime.NumCPU())

// guardRun is the cfn-guard verdict on an assembly's templates, started as
// soon as the assembly is synthesized so that it overlaps the next synthesis.
type guardRun struct {
	done     chan struct{}
	findings []guardFinding
	err      error
}

// templateRun is cfn-guard's verdict on one distinct template.
type templateRun struct {
	done    chan struct{}
	verdict guardVerdict
	err     error
}

// guarded holds each distinct template's verdict, by the hash of its
// resources: two syntheses may share templates (a profile that differs
// from another only in its governed regions shares its home region's
// stacks), which are checked once.
var guarded sync.Map // string -> *templateRun

// startGuard runs the guard rules on a's templates in the background: each
// template with the rules that can apply to its own resource types (a rule
// costs cfn-guard a parse of the template, whether it applies or not), and
// each distinct template once.
func startGuard(a *assembly) *guardRun {
	r := &guardRun{done: make(chan struct{})}
	bin, err := guardBinaryPath()
	if err != nil {
		r.err = err
		close(r.done)
		return r
	}
	cache := openGuardCache(bin)
	type job struct {
		tpl *controls.Template
		run *templateRun
		own bool // this assembly runs it; otherwise it waits for another's
	}
	var jobs []job
	for _, tpl := range a.list() {
		body, _ := json.Marshal(tpl.Body["Resources"])
		sum := sha256.Sum256(body)
		run, loaded := guarded.LoadOrStore(hex.EncodeToString(sum[:]), &templateRun{done: make(chan struct{})})
		jobs = append(jobs, job{tpl, run.(*templateRun), !loaded})
	}
	go func() {
		defer close(r.done)
		for _, j := range jobs {
			if j.own {
				j.run.verdict, j.run.err = cache.verdict(bin, j.tpl)
				close(j.run.done)
			}
		}
		for _, j := range jobs {
			<-j.run.done
			if j.run.err != nil {
				r.err = j.run.err
				return
			}
			// The same resources, named by their paths in this assembly's file.
			r.findings = append(r.findings, j.run.verdict.findings(j.tpl)...)
		}
	}()
	return r
}

// TestControlTowerGuardRules checks the guard rules' verdict on every
// synthesis: each failure must be an acknowledged exception, and each
// exception must still be needed.
func TestControlTowerGuardRules(t *testing.T) {
	t.Parallel()
	used := map[int]bool{}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			r := synth(t, p.name).guard
			<-r.done
			if r.err != nil {
				t.Fatal(r.err)
			}
			profile := "sandbox"
			if p.context["profile"] == "production" {
				profile = "production"
			}
			for _, f := range r.findings {
				excepted := false
				for i, e := range controls.GuardExceptions {
					if e.Applies(f.rule, f.resource, profile) {
						excepted, used[i] = true, true
					}
				}
				if !excepted {
					t.Errorf("%s: %s fails Control Tower control %s; fix it, or acknowledge it with a reason in controls.GuardExceptions", f.template, f.resource, f.rule)
				}
			}
		})
	}
	if t.Failed() {
		return
	}
	for i, e := range controls.GuardExceptions {
		if !used[i] {
			t.Errorf("controls.GuardExceptions[%d] (%s on %s) matches no failure: remove it", i, e.Rule, e.Path)
		}
	}
}

// TestGuardCatchesAWeakenedTemplate proves the gate can fail: a bucket
// without Block Public Access must fail CT.S3.PR.1.
func TestGuardCatchesAWeakenedTemplate(t *testing.T) {
	t.Parallel()
	bin, err := guardBinaryPath()
	if err != nil {
		t.Fatal(err)
	}
	tpl := synth(t, "sandbox").templates["Data"].Clone()
	b := appBucket(t, tpl)
	delete(b.Properties(), "PublicAccessBlockConfiguration")
	file := filepath.Join(t.TempDir(), "Data.template.json")
	data, err := json.Marshal(tpl.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tpl.Name = file
	rules, err := guardRules([]*controls.Template{tpl}, "s3")
	if err != nil {
		t.Fatal(err)
	}
	verdict, err := runGuard(bin, rules, file) // the binary itself, never the cache
	if err != nil {
		t.Fatal(err)
	}
	findings := verdict.findings(tpl)
	for _, f := range findings {
		if f.rule == "CT.S3.PR.1" && f.resource == b.Path() {
			return
		}
	}
	t.Errorf("CT.S3.PR.1 did not catch %s without Block Public Access; findings: %v", b.Path(), findings)
}
