// Command composecheck loads a compose file the way `docker compose config` does (compose-go:
// schema validation, interpolation from .env, merging of anchors) and prints the resolved project
// as JSON, so tests can check policy (pinned images, healthchecks) on what Docker would really run.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck path/to/docker-compose.yml")
		os.Exit(2)
	}
	path, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{path},
		// Like `docker compose -f`: .env and relative paths resolve next to the compose file.
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithOsEnv,
		cli.WithDefaultProfiles(),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "invalid compose file:", err)
	os.Exit(1)
}
