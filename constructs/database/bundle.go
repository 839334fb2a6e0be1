package database

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

//go:embed appuser/index.js
var appUserSource string

// bundleAppUserFunction returns a directory holding the database-user
// function: appuser/index.js bundled with the PostgreSQL client (the npm
// package pg, which package.json pins) by esbuild, in process, and the RDS
// root CAs the function verifies the server with. The AWS SDK is the Lambda
// runtime's own. The directory is named after its content, so that a
// synthesis finds the one an earlier one wrote, and the asset's hash never
// depends on where it was built.
func bundleAppUserFunction(caBundle string) (string, error) {
	root, err := nodeModulesRoot()
	if err != nil {
		return "", err
	}
	res := api.Build(api.BuildOptions{
		Stdin:            &api.StdinOptions{Contents: appUserSource, Sourcefile: "index.js", ResolveDir: root, Loader: api.LoaderJS},
		AbsWorkingDir:    root,
		Bundle:           true,
		Platform:         api.PlatformNode,
		Engines:          []api.Engine{{Name: api.EngineNode, Version: "24"}},
		Format:           api.FormatCommonJS,
		External:         []string{"@aws-sdk/*", "pg-native", "cloudflare:sockets"},
		LegalComments:    api.LegalCommentsEndOfFile,
		MinifyWhitespace: true,
		MinifySyntax:     true,
		LogLevel:         api.LogLevelSilent,
		Write:            false,
		Outfile:          "index.js",
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return "", fmt.Errorf("bundling the database-user function (run npm ci first): %s", strings.Join(msgs, "\n"))
	}
	if len(res.OutputFiles) != 1 {
		return "", fmt.Errorf("bundling the database-user function: %d output files, want 1", len(res.OutputFiles))
	}
	code := res.OutputFiles[0].Contents
	sum := sha256.New()
	sum.Write(code)
	sum.Write([]byte(caBundle))
	dir := filepath.Join(os.TempDir(), "secure-webapp-appuser-"+hex.EncodeToString(sum.Sum(nil))[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, content := range map[string][]byte{"index.js": code, "rds-ca.pem": []byte(caBundle)} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// nodeModulesRoot returns the nearest directory, from the working directory
// up, whose node_modules holds pg: the repository's root, where npm ci
// installs it (the tests run in a subdirectory).
func nodeModulesRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg", "package.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("the npm package pg is not installed in node_modules here or above: run npm ci (make synth and make test do)")
		}
		dir = parent
	}
}
