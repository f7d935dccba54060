package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadme: what the README tells a newcomer to type works as described.
// The Quick start is exactly its two commands; every sandbox it starts in
// the background sends its request log to a file, so that the log does not
// interleave with the output of the commands that follow (or draw over the
// form); and it says that go test takes a while.
func TestReadme(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)

	quick := regexp.MustCompile("(?s)## Quick start\n.*?```sh\n(.*?)```").FindStringSubmatch(readme)
	if quick == nil {
		t.Fatal("README has no Quick start code block")
	}
	var cmds []string
	for _, line := range strings.Split(strings.TrimSpace(quick[1]), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if want := []string{"go run ./cmd/demo", "go test ./..."}; strings.Join(cmds, "\n") != strings.Join(want, "\n") {
		t.Errorf("Quick start commands = %q; want exactly %q", cmds, want)
	}

	starts := 0
	for _, line := range strings.Split(readme, "\n") {
		if !strings.Contains(line, "sandbox start") || !strings.HasSuffix(strings.TrimSpace(line), "&") {
			continue
		}
		starts++
		if !regexp.MustCompile(`\s2>\s*\S+`).MatchString(line) {
			t.Errorf("README starts a sandbox in the background with its log on the terminal: %q; add 2> sandbox.log", line)
		}
	}
	if starts == 0 {
		t.Error("README starts no sandbox in the background; this test looks for that line")
	}

	if !regexp.MustCompile(`go test \./\.\.\.` + "`" + ` first downloads the modules its tests need[^.]*and takes a few minutes`).MatchString(readme) {
		t.Error("README does not say that go test ./... downloads its test modules and takes a few minutes")
	}
}
