package controls

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

// Formats are the report formats of WriteReport.
var Formats = []string{"text", "json", "markdown", "sarif"}

// Failed reports whether any result failed.
func Failed(results []Result) bool {
	for _, r := range results {
		if r.Status == Fail {
			return true
		}
	}
	return false
}

// WriteReport renders results in one of Formats.
func WriteReport(w io.Writer, format string, results []Result) error {
	switch format {
	case "text":
		return writeText(w, results)
	case "json":
		return writeJSON(w, results)
	case "markdown":
		return writeMarkdown(w, results)
	case "sarif":
		return writeSARIF(w, results)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

func writeText(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCONTROL\tTEMPLATE\tTITLE")
	pass, fail, skip, na := 0, 0, 0, 0
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", strings.ToUpper(string(r.Status)), r.Control.ID, base(r.Template), r.Control.Title)
		switch r.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		case NotApplicable:
			na++
		default:
			skip++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		for _, f := range r.Failures {
			fmt.Fprintf(w, "FAIL %s %s: %s\n", r.Control.ID, orDash(f.Resource), f.Reason)
		}
	}
	for _, r := range results {
		if r.Status == NotApplicable {
			fmt.Fprintf(w, "N/A  %s %s: %s\n", r.Control.ID, base(r.Template), r.Note)
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed, %d skipped", pass, fail, skip)
	if na > 0 {
		summary += fmt.Sprintf(", %d not applicable", na)
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

type jsonResult struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Status   Status    `json:"status"`
	Template string    `json:"template,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	Note     string    `json:"note,omitempty"`
}

func writeJSON(w io.Writer, results []Result) error {
	out := make([]jsonResult, len(results))
	for i, r := range results {
		out[i] = jsonResult{r.Control.ID, r.Control.Title, r.Status, r.Template, r.Failures, r.Note}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"results": out, "failed": Failed(results)})
}

func writeMarkdown(w io.Writer, results []Result) error {
	fmt.Fprintln(w, "| Status | Control | Template | Title | Findings |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range results {
		var fs []string
		for _, f := range r.Failures {
			fs = append(fs, fmt.Sprintf("`%s`: %s", orDash(f.Resource), f.Reason))
		}
		if r.Note != "" {
			fs = append(fs, r.Note)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.Status, r.Control.ID, base(r.Template), cell(r.Control.Title), cell(strings.Join(fs, "<br>")))
	}
	return nil
}

// writeSARIF writes SARIF 2.1.0, the version GitHub code scanning accepts:
// one rule per control, one result per failure, located in the template file.
func writeSARIF(w io.Writer, results []Result) error {
	var rules []map[string]any
	seen := map[string]bool{}
	findings := []map[string]any{}
	for _, r := range results {
		if !seen[r.Control.ID] {
			seen[r.Control.ID] = true
			rules = append(rules, sarifRule(r.Control))
		}
		for _, f := range r.Failures {
			findings = append(findings, sarifFinding(r, f))
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog(rules, findings))
}

// sarifMessage is a SARIF message: plain text.
type sarifMessage struct {
	Text string `json:"text"`
}

// sarifRule describes a control as a SARIF rule.
func sarifRule(c Control) map[string]any {
	return map[string]any{
		"id":                   c.ID,
		"name":                 strings.ReplaceAll(c.ID, "-", ""),
		"shortDescription":     sarifMessage{c.Title},
		"fullDescription":      sarifMessage{c.Title + " (layer: " + c.Layer + "; built by " + c.Construct + ")"},
		"helpUri":              repositoryURL() + "/blob/main/docs/CONTROLS.md",
		"properties":           map[string]any{"tags": append([]string{"security"}, c.Frameworks...)},
		"defaultConfiguration": map[string]any{"level": "error"},
	}
}

// sarifFinding describes one failure of a result as a SARIF result, located in its template file.
func sarifFinding(r Result, f Failure) map[string]any {
	uri := filepath.ToSlash(r.File(f))
	if uri == "" {
		uri = "cdk.out"
	}
	return map[string]any{
		"ruleId":  r.Control.ID,
		"level":   "error",
		"message": sarifMessage{fmt.Sprintf("%s: %s", orDash(f.Resource), f.Reason)},
		"locations": []any{map[string]any{
			"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": uri},
				"region":           map[string]any{"startLine": 1},
			},
			"logicalLocations": []any{map[string]any{"fullyQualifiedName": orDash(f.Resource), "kind": "resource"}},
		}},
	}
}

// sarifLog is the SARIF document of one run of verify.
func sarifLog(rules, findings []map[string]any) map[string]any {
	return map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "secure-webapp-verify",
				"informationUri": repositoryURL(),
				"rules":          rules,
			}},
			"results": findings,
		}},
	}
}

func base(p string) string {
	if p == "" {
		return "-"
	}
	return filepath.Base(p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// repositoryURL is the web address of the repository this program was built
// from, derived from its Go module path (a fork that renames its module
// points its reports at itself), or the module path as given when it is
// not a host/owner/repo path.
func repositoryURL() string {
	path := "github.com/secure-webapp/secure-webapp"
	if bi, ok := debug.ReadBuildInfo(); ok && strings.Count(bi.Main.Path, "/") >= 2 {
		path = bi.Main.Path
	}
	return "https://" + path
}
