package test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
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

var (
	reCTID     = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\]`)
	reResource = regexp.MustCompile(`^/Resources/([A-Za-z0-9]+)`)
)

// runGuard validates the template files against the rules and returns what
// fails.
func runGuard(bin string, rules []string, files map[string]*controls.Template) ([]guardFinding, error) {
	args := []string{"validate", "--output-format", "json", "--show-summary", "none"}
	for _, r := range rules {
		args = append(args, "--rules", r)
	}
	for f := range files {
		args = append(args, "--data", f)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	// cfn-guard exits 19 when a rule fails; anything else is an error.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 19) {
		return nil, fmt.Errorf("cfn-guard: %v\n%s", err, stderr.String())
	}
	var findings []guardFinding
	dec := json.NewDecoder(&out)
	for {
		var doc struct {
			Name         string `json:"name"`
			Status       string `json:"status"`
			NotCompliant []any  `json:"not_compliant"`
		}
		if err := dec.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("cfn-guard output: %v", err)
		}
		tpl := files[doc.Name]
		for _, nc := range doc.NotCompliant {
			var ids, resources []string
			walkGuard(nc, &ids, &resources)
			for _, id := range unique(ids) {
				for _, res := range unique(resources) {
					path := res
					if r, ok := tpl.Resource(res); ok {
						path = r.Path()
					}
					findings = append(findings, guardFinding{filepath.Base(doc.Name), id, path})
				}
			}
		}
	}
	return findings, nil
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

// guardRun is the cfn-guard verdict on an assembly's templates, started as
// soon as the assembly is synthesized so that it overlaps the next synthesis.
type guardRun struct {
	done     chan struct{}
	findings []guardFinding
	err      error
}

// guarded holds each distinct template's verdict, by the hash of its
// resources: the syntheses share many templates (the regions synthesis's
// Data and Service are the sandbox's), which are checked once.
var guarded sync.Map // string -> *guardRun

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
	type job struct {
		tpl *controls.Template
		run *guardRun
		own bool // this assembly runs it; otherwise it waits for another's
	}
	var jobs []job
	for _, tpl := range a.list() {
		body, _ := json.Marshal(tpl.Body["Resources"])
		sum := sha256.Sum256(body)
		run, loaded := guarded.LoadOrStore(hex.EncodeToString(sum[:]), &guardRun{done: make(chan struct{})})
		jobs = append(jobs, job{tpl, run.(*guardRun), !loaded})
	}
	go func() {
		defer close(r.done)
		for _, j := range jobs {
			if j.own {
				func() {
					defer close(j.run.done)
					rules, err := guardRules([]*controls.Template{j.tpl}, "")
					if err != nil {
						j.run.err = err
						return
					}
					j.run.findings, j.run.err = runGuard(bin, rules, map[string]*controls.Template{j.tpl.Name: j.tpl})
				}()
			}
		}
		for _, j := range jobs {
			<-j.run.done
			if j.run.err != nil {
				r.err = j.run.err
				return
			}
			for _, f := range j.run.findings {
				f.template = filepath.Base(j.tpl.Name) // the same resources, in this assembly's file
				r.findings = append(r.findings, f)
			}
		}
	}()
	return r
}

// TestControlTowerGuardRules checks the guard rules' verdict on every
// synthesis: each failure must be an acknowledged exception, and each
// exception must still be needed.
func TestControlTowerGuardRules(t *testing.T) {
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
	findings, err := runGuard(bin, rules, map[string]*controls.Template{file: tpl})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.rule == "CT.S3.PR.1" && f.resource == b.Path() {
			return
		}
	}
	t.Errorf("CT.S3.PR.1 did not catch %s without Block Public Access; findings: %v", b.Path(), findings)
}

// TestSynthEnforcesControlTowerRules: with the Control Tower rules in CDK's
// built-in validation (compliance.Guard, as `cdk synth` runs it) and the
// feature flag of cdk.json that makes findings errors, a resource that
// breaks a rule without an acknowledged exception fails the synthesis.
func TestSynthEnforcesControlTowerRules(t *testing.T) {
	ctx, err := cdkJSONContext()
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &ctx})
	stack := awscdk.NewStack(app, jsii.String("Weakened"), nil)
	awss3.NewCfnBucket(stack, jsii.String("Bucket"), &awss3.CfnBucketProps{}) // no Block Public Access: CT.S3.PR.1
	if err := compliance.Guard(app, filepath.Join("..", compliance.GuardRulesDir), "sandbox"); err != nil {
		t.Fatal(err)
	}
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		app.Synth(nil)
		return nil
	}()
	if err == nil || !strings.Contains(err.Error(), "Validation failed") {
		t.Errorf("a bucket without Block Public Access synthesized: %v", err)
	}
}
