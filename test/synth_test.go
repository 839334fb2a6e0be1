// Package test proves the app: it synthesizes the app once per profile (and
// per test binary) and runs every assertion on that one synthesis: the
// controls of the registry, mutations that weaken each control, the golden
// snapshots, the compliance gate and the generated documents.
package test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/regioninfo"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/controls"
	"github.com/secure-webapp/secure-webapp/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates and generated documents")

// profiles are the configurations synthesized, once each: both profiles,
// production governing three regions (a baseline stack per account in each
// beyond the home region); and "variants", which turns every option away
// from its default at once: internet egress with NAT gateways, interface
// endpoints off, Session Manager on, a Route 53 hosted zone that validates
// the certificate and holds an alias, an alert e-mail, no S3 data events,
// the extra Security Hub standards, detection services left to the
// organization, a permissions boundary, extra tags, the GitHub deploy
// stack, a database port other than PostgreSQL's default, and subnets
// placed by AZ ID. All must
// pass the same controls (or report
// n/a). golden marks those with snapshots. Only the sandbox has cdk-nag
// write its reports, which TestComplianceGate reads; the others save the
// time (nagReports false), and the gate reads their annotations.
//
// None runs CDK's built-in CloudFormation validation, most of a
// synthesis's time: the Control Tower rules it evaluates run here as
// cfn-guard on every template (guard_test.go), `make synth` runs it on the
// fork's own configuration, and TestUnacknowledgedGuardFindingFailsSynthesis
// proves that it fails a synthesis.
var profiles = []struct {
	name    string
	context map[string]any
	golden  bool
}{
	{"sandbox", map[string]any{"profile": "sandbox"}, true},
	{"production", map[string]any{"profile": "production", "governedRegions": "us-east-1,eu-west-1,ap-southeast-2", "nagReports": false}, true},
	{"variants", map[string]any{"profile": "sandbox", "loggingAccount": "333333333333", "internetEgress": true, "interfaceEndpoints": false,
		"sessionManager": true, "hostedZoneId": "Z0123456789ABCDEFGHIJ", "alertEmail": "security@example.com",
		"trailS3DataEvents": false, "securityHubExtraStandards": "pci-dss,nist-800-53", "detectionServices": false,
		"permissionsBoundary": "org-boundary", "tags": "cost-center=42,owner=secops", "githubRepository": "my-org/secure-webapp",
		"dbPort": "6543", "availabilityZoneIds": "use1-az4,use1-az6", "nagReports": false}, false},
}

// assembly is one synthesized cloud assembly.
type assembly struct {
	profile    string
	dir        string
	templates  map[string]*controls.Template // by stack artifact ID
	nagReports bool                          // the cdk-nag packs wrote their reports into dir
	guard      *guardRun                     // the Control Tower guard rules' run on templates
	view       struct {                      // the workload account's view (workload)
		once sync.Once
		t    *controls.Template
		err  error
	}
}

// synthesis is one profile's synthesis, made once per test binary.
type synthesis struct {
	once sync.Once
	a    *assembly
	err  error
}

var (
	outRoot   string
	syntheses = map[string]*synthesis{}
	// jsiiMu serializes the use of the test binary's one jsii kernel: the
	// syntheses, one after another, and the few tests that call the CDK.
	jsiiMu sync.Mutex
)

// TestMain synthesizes every profile in the background, one after another,
// when the whole suite runs: the tests (parallel, each waiting for the
// syntheses it needs) check the ones made while the next is built. A run
// of some tests (-run) synthesizes only what they ask for.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "secure-webapp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	outRoot = dir
	for _, p := range profiles {
		syntheses[p.name] = &synthesis{}
	}
	if flag.Lookup("test.run").Value.String() == "" {
		go func() {
			for _, p := range profiles {
				syntheses[p.name].get(p.name)
			}
		}()
	}
	// The parallel tests spend their time waiting for syntheses, not on a
	// processor: let them all wait at once unless -parallel says otherwise.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", "64")
	}
	code := m.Run()
	jsiiMu.Lock() // let a synthesis in flight finish
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// get returns the profile's assembly, synthesizing it on first use.
func (s *synthesis) get(profile string) (*assembly, error) {
	s.once.Do(func() {
		jsiiMu.Lock()
		defer jsiiMu.Unlock()
		defer func() { // jsii raises a CDK error as a panic
			if r := recover(); r != nil {
				s.err = fmt.Errorf("%v", r)
			}
		}()
		s.a, s.err = doSynth(profile)
	})
	return s.a, s.err
}

// synth returns the assembly of a profile, synthesizing it on first use.
func synth(t testing.TB, profile string) *assembly {
	t.Helper()
	s, ok := syntheses[profile]
	if !ok {
		t.Fatalf("unknown profile %q", profile)
	}
	a, err := s.get(profile)
	if err != nil {
		t.Fatalf("synthesizing %s: %v", profile, err)
	}
	return a
}

func doSynth(profile string) (*assembly, error) {
	ctx, err := config.CDKContext("../cdk.json")
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		if p.name == profile {
			for k, v := range p.context {
				ctx[k] = v
			}
		}
	}
	// As `cdk synth` does: record each resource's construct path, which the
	// controls' failure messages and docs/CONTROLS.md name.
	ctx["aws:cdk:enable-path-metadata"] = true
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(outRoot, profile)
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:                          jsii.String(dir),
		Context:                         &ctx,
		BuiltinCloudFormationValidation: jsii.Bool(false),
	})
	stacks.Build(app, cfg)
	app.Synth(nil)

	ts, err := controls.LoadPaths([]string{dir})
	if err != nil {
		return nil, err
	}
	a := &assembly{profile: profile, dir: dir, templates: map[string]*controls.Template{}, nagReports: cfg.NagReports}
	for _, t := range ts {
		id := filepath.Base(t.Name)
		a.templates[id[:len(id)-len(".template.json")]] = t
	}
	a.guard = startGuard(a)
	return a, nil
}

// stackOrder ranks a stack's artifact ID (its construct ID) in deployment
// order: the log archive, the logging account's baselines, the workload
// account's baselines (home region first), the workload, the deploy role.
func stackOrder(id string) string {
	for i, prefix := range []string{"LogArchive", "LoggingBaseline", "Baseline", "Data", "Service", "GitHubDeploy"} {
		if id == prefix || strings.HasPrefix(id, prefix+"-") {
			return fmt.Sprintf("%d%s", i, id)
		}
	}
	return "9" + id
}

// list returns an assembly's templates in deployment order.
func (a *assembly) list() []*controls.Template {
	var ids []string
	for id := range a.templates {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return stackOrder(ids[i]) < stackOrder(ids[j]) })
	var out []*controls.Template
	for _, id := range ids {
		out = append(out, a.templates[id])
	}
	return out
}

// isWorkloadHome reports whether a template is one of the workload
// account's stacks in the home region, which make its view.
func isWorkloadHome(tpl *controls.Template) bool {
	f, _ := tpl.Facts()
	return f.Role == controls.RoleWorkload && f.Region == f.HomeRegion
}

// workload returns a new copy of the view of the workload account: its
// stacks merged as controls.Evaluate checks them (merged once per assembly).
func (a *assembly) workload(t testing.TB) *controls.Template {
	t.Helper()
	a.view.once.Do(func() {
		var ts []*controls.Template
		for _, tpl := range a.list() {
			if isWorkloadHome(tpl) {
				ts = append(ts, tpl)
			}
		}
		a.view.t, a.view.err = controls.AccountView(ts)
	})
	if a.view.err != nil {
		t.Fatal(a.view.err)
	}
	return a.view.t.Clone()
}

// TestKnownRegionsMatchCDK: config.KnownRegions, which governedRegions
// accepts, are the commercial regions the pinned CDK's region-info knows.
func TestKnownRegionsMatchCDK(t *testing.T) {
	t.Parallel()
	jsiiMu.Lock()
	defer jsiiMu.Unlock()
	var cdk []string
	for _, r := range *regioninfo.RegionInfo_Regions() {
		if *r.Partition() == "aws" {
			cdk = append(cdk, *r.Name())
		}
	}
	sort.Strings(cdk)
	known := append([]string(nil), config.KnownRegions...)
	sort.Strings(known)
	if strings.Join(cdk, ",") != strings.Join(known, ",") {
		t.Errorf("config.KnownRegions differ from the CDK's region-info:\n  config %v\n  CDK    %v", known, cdk)
	}
}
