package controls

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Suppression is one cdk-nag rule that a resource suppresses, with its reason.
type Suppression struct {
	Stack    string
	Resource string // construct path
	Rule     string
	Reason   string
}

// Suppressions collects the cdk-nag suppressions recorded in the templates'
// resource metadata.
func Suppressions(templates []*Template) []Suppression {
	var out []Suppression
	for _, t := range templates {
		facts, _ := t.Facts()
		all, _ := t.Body["Resources"].(map[string]any)
		for id := range all {
			r, _ := t.Resource(id)
			rules, _ := dig(r.Raw, "Metadata", "cdk_nag", "rules_to_suppress")
			for _, s := range list(rules) {
				rule, _ := dig(s, "id")
				reason, _ := dig(s, "reason")
				out = append(out, Suppression{Stack: string(facts.Role), Resource: r.Path(), Rule: fmt.Sprint(rule), Reason: fmt.Sprint(reason)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		return a.Reason < b.Reason
	})
	return slices.Compact(out) // a resource suppressed twice for one rule with one reason
}

// WriteControlsDoc writes docs/CONTROLS.md: the compliance matrix of every
// control, and every cdk-nag suppression with its reason.
func WriteControlsDoc(w io.Writer, controls []Control, suppressions []Suppression) error {
	writeControlsIntro(w, controls)
	writeControlsMatrix(w, controls)
	writeSuppressions(w, suppressions)
	writeGuardExceptions(w)
	writeDeputyExceptions(w)
	return nil
}

// printer returns a function that writes formatted text to w.
func printer(w io.Writer) func(format string, a ...any) {
	return func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
}

// writeControlsIntro writes the page's title and says where the controls are defined, checked and tested.
func writeControlsIntro(w io.Writer, controls []Control) {
	p := printer(w)
	p("<!-- Generated from the controls registry (package controls) and the synthesized templates. Do not edit: run `make docs`. -->\n\n")
	p("# Security controls\n\n")
	p("Every control below is defined once, in [`controls/`](../controls), and from there:\n\n")
	p("- checked on every profile's synthesis by `make test`, as the subtest `TestControls/<profile>/<ID>` of [`test/`](../test);\n")
	p("- proven to catch a weakened template by at least one `TestMutations/<profile>/<ID>/...` subtest;\n")
	p("- checked on any synthesized templates by `go run ./cmd/verify cdk.out`.\n\n")
	p("The layer is the part of the architecture a control protects: Data, Network, App, TLS, or Audit & detection (README.md, *What it builds today*), or Lifecycle: what makes the others deployable. ")
	p("Framework references are AWS Security Hub control IDs of the AWS Foundational Security Best Practices standard (FSBP) and recommendations of the CIS AWS Foundations Benchmark v3.0.0 (CIS).\n\n")
	var na []string
	for _, c := range controls {
		if c.NotApplicable != nil {
			na = append(na, c.ID)
		}
	}
	if len(na) > 0 {
		p("%s report n/a instead of pass or fail when the configuration leaves what they check to the account's organization (`detectionServices` false); verify then says who must provide it.\n\n", strings.Join(na, ", "))
	}
	byKind := map[string][]string{}
	var kinds []string
	for _, c := range controls {
		if c.Compute != "" {
			if byKind[c.Compute] == nil {
				kinds = append(kinds, c.Compute)
			}
			byKind[c.Compute] = append(byKind[c.Compute], c.ID)
		}
	}
	for _, k := range kinds {
		p("%s read the shapes of the app tier's %s compute (marked *%s only* below) and report n/a for an app tier of another kind, which brings its own ([`CUSTOMIZE.md`](CUSTOMIZE.md), *A second compute kind*); every other control finds the app tier by the identities its construct records, whatever runs it.\n\n", strings.Join(byKind[k], ", "), strings.ToUpper(k), strings.ToUpper(k))
	}
}

// writeControlsMatrix writes the compliance matrix: one row per control.
func writeControlsMatrix(w io.Writer, controls []Control) {
	p := printer(w)
	p("| Control | Title | Layer | Responsibility | Frameworks | Construct | Stack | Test |\n")
	p("|---|---|---|---|---|---|---|---|\n")
	for _, c := range controls {
		fw := strings.Join(c.Frameworks, ", ")
		if fw == "" {
			fw = "—"
		}
		title := c.Title
		if c.Compute != "" {
			title += " *(" + strings.ToUpper(c.Compute) + " only)*"
		}
		p("| %s | %s | %s | %s | %s | `%s` | %s | `TestControls/*/%s` |\n", c.ID, cell(title), c.Layer, c.Responsibility, fw, c.Construct, c.Role, c.ID)
	}
}

// writeSuppressions writes the section that lists every cdk-nag suppression with its reason.
func writeSuppressions(w io.Writer, suppressions []Suppression) {
	p := printer(w)
	p("\n## cdk-nag suppressions\n\n")
	p("The compliance gate runs the cdk-nag packs AwsSolutions, NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 on every stack; `make synth` fails on any error they report. ")
	p("These are the only rules suppressed, each on named resources, with its reason (default configuration):\n\n")
	p("| Stack | Resource | Rule | Reason |\n|---|---|---|---|\n")
	for _, s := range suppressions {
		p("| %s | `%s` | %s | %s |\n", s.Stack, s.Resource, s.Rule, cell(s.Reason))
	}
}

// writeGuardExceptions writes the section that lists the acknowledged exceptions to the Control Tower proactive controls.
func writeGuardExceptions(w io.Writer) {
	p := printer(w)
	p("\n## AWS Control Tower proactive controls: acknowledged exceptions\n\n")
	p("`make test` also runs the Control Tower proactive controls, as the cfn-guard rules that the npm package `@cdklabs/cdk-validator-cfnguard` ships with its `cfn-guard` binary, ")
	p("on the templates of every synthesis (`TestControlTowerGuardRules`); any failure not listed here fails the test, and so does an exception that no longer matches a failure. ")
	p("`TestGuardCatchesAWeakenedTemplate` proves the gate fails on a bucket without Block Public Access. The acknowledged exceptions, from `controls.GuardExceptions`:\n\n")
	p("| Control | Resource (construct path) | Profile | Reason |\n|---|---|---|---|\n")
	for _, e := range GuardExceptions {
		profile := e.Profile
		if profile == "" {
			profile = "all"
		}
		p("| %s | `…/%s` | %s | %s |\n", e.Rule, e.Path, profile, cell(e.Reason))
	}
}

// writeDeputyExceptions writes the section that lists the service principals DEPUTY-1 admits unscoped.
func writeDeputyExceptions(w io.Writer) {
	p := printer(w)
	p("\n## Confused-deputy exceptions\n\n")
	p("DEPUTY-1 requires every service principal admitted by a bucket, topic or key policy to be scoped to its source; these are the only ones that are not, from `controls.DeputyExceptions`:\n\n")
	p("| Where | Service principal | Reason |\n|---|---|---|\n")
	keys := make([]string, 0, len(DeputyExceptions))
	for k := range DeputyExceptions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := strings.LastIndex(k, " ")
		p("| %s | %s | %s |\n", k[:i], k[i+1:], cell(DeputyExceptions[k]))
	}
	p("\nThe trust policy of the trail's CloudWatch Logs role (created by CDK for the trail) names no source either: AWS documents none for CloudTrail's delivery to CloudWatch Logs, and a trail whose role it cannot assume fails at creation.\n")
}
