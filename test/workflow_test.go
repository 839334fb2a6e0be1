package test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestWorkflowRunsWhatCIRuns: the GitHub workflow for forks cannot run here,
// so each of its commands must be one that .ci/run runs (and so is proven on
// every CI run of this repository).
func TestWorkflowRunsWhatCIRuns(t *testing.T) {
	wf, err := os.ReadFile("../.github/workflows/ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(ci), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	runs := regexp.MustCompile(`(?m)^\s*-?\s*run:\s*(.+)$`).FindAllStringSubmatch(string(wf), -1)
	if len(runs) == 0 {
		t.Fatal("the workflow has no run: steps")
	}
	for _, m := range runs {
		if cmd := strings.TrimSpace(m[1]); !lines[cmd] {
			t.Errorf("the workflow runs %q, which .ci/run does not", cmd)
		}
	}
}
