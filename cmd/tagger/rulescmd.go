package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"newsmon/pipeline/rules"
)

// runCheck validates a rule folder: `tagger check -rules DIR`. Every problem
// (what Load refuses, and what Lint asks: examples for every file, entity
// and rule) is printed as file:line: reason; the command fails when there
// is one.
func runCheck(args []string, stdout, stderr io.Writer) error {
	dir, err := rulesFlag("tagger check", args, stderr)
	if err != nil {
		return err
	}
	set, err := rules.LoadDir(dir)
	if err != nil {
		n := printProblems(stdout, err)
		return fmt.Errorf("check: %d problem(s) in %s", n, dir)
	}
	lint := set.Lint()
	// A file the loader would skip is most likely a mistake.
	if skipped, _ := filepath.Glob(filepath.Join(dir, "*.yml")); len(skipped) > 0 {
		for _, f := range skipped {
			lint = append(lint, filepath.Base(f)+":1: ignored: rule files end in .yaml")
		}
	}
	if len(lint) > 0 {
		for _, l := range lint {
			fmt.Fprintln(stdout, filepath.Join(dir, l))
		}
		return fmt.Errorf("check: %d problem(s) in %s", len(lint), dir)
	}
	st := set.Stats()
	fmt.Fprintf(stdout, "%s: ok: %d files, %d entities, %d aliases, %d rules, %d examples\n",
		dir, st.Files, st.Entities, st.Aliases, st.Rules, st.Examples)
	return nil
}

// runTest runs the examples every rule file carries: `tagger test -rules
// DIR`. Failures are printed with what was wanted and what fired, then a
// summary line "N passed, N failed".
func runTest(args []string, stdout, stderr io.Writer) error {
	dir, err := rulesFlag("tagger test", args, stderr)
	if err != nil {
		return err
	}
	set, err := rules.LoadDir(dir)
	if err != nil {
		n := printProblems(stdout, err)
		return fmt.Errorf("test: %d problem(s) in %s; fix them first (tagger check)", n, dir)
	}
	fails := set.RunExamples()
	for _, f := range fails {
		f.File = filepath.Join(dir, f.File)
		fmt.Fprintf(stdout, "FAIL %s\n", f)
	}
	total := set.Stats().Examples
	fmt.Fprintf(stdout, "%d passed, %d failed\n", total-len(fails), len(fails))
	if len(fails) > 0 {
		return fmt.Errorf("test: %d example(s) failed", len(fails))
	}
	return nil
}

func rulesFlag(name string, args []string, stderr io.Writer) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("rules", "rules", "folder of rule files (*.yaml)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("%s: unexpected arguments %q", name, fs.Args())
	}
	return *dir, nil
}

// printProblems prints each joined error on its own line and counts them.
func printProblems(w io.Writer, err error) int {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		for _, e := range j.Unwrap() {
			fmt.Fprintln(w, e)
		}
		return len(j.Unwrap())
	}
	fmt.Fprintln(w, err)
	return 1
}
