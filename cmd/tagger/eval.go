package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"newsmon/pipeline/rules"
)

// runEval measures a rule folder against labelled passages:
// `tagger eval -rules DIR -gold FILE.jsonl`. It prints TP, FP, FN,
// precision, recall and F1 per rule, for the entity rules and the compound
// rules pooled, and overall, then every error with the text that matched
// and its sentence; -json prints the same as one JSON document.
func runEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tagger eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("rules", "rules", "folder of rule files (*.yaml)")
	goldPath := fs.String("gold", "", "labelled passages, one JSON object a line (see docs/rules.md)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	showErrors := fs.Bool("errors", true, "list every error (false: figures only, for a held-out set)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval: unexpected arguments %q", fs.Args())
	}
	if *goldPath == "" {
		return errors.New("eval: no gold file (want tagger eval -rules DIR -gold FILE.jsonl)")
	}
	set, err := rules.LoadDir(*dir)
	if err != nil {
		n := printProblems(stdout, err)
		return fmt.Errorf("eval: %d problem(s) in %s; fix them first (tagger check)", n, *dir)
	}
	f, err := os.Open(*goldPath)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	gold, err := rules.ReadGold(f, *goldPath)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	rep, err := set.Evaluate(gold)
	if err != nil {
		return fmt.Errorf("eval %s: %w", *goldPath, err)
	}
	if !*showErrors {
		rep.Errors = nil
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, *goldPath, rep, *showErrors)
	return nil
}

func printReport(w io.Writer, name string, rep *rules.Report, showErrors bool) {
	fmt.Fprintf(w, "%s: %d passages (%d hard negatives)\n\n", name, rep.Passages, rep.Hard)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rule\tTP\tFP\tFN\tprecision\trecall\tF1\t")
	row := func(name string, s rules.Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", name, s.TP, s.FP, s.FN, s.Precision, s.Recall, s.F1)
	}
	for _, r := range rep.Rules {
		if r.TP+r.FP+r.FN == 0 {
			fmt.Fprintf(tw, "%s\t0\t0\t0\t-\t-\t-\t\n", r.Rule) // nothing to find and nothing found
			continue
		}
		row(r.Rule, r.Score)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t")
	row("entities", rep.Entities)
	row("watch rules", rep.Watch)
	row("overall", rep.Overall)
	tw.Flush()
	if !showErrors {
		return
	}
	fmt.Fprintf(w, "\n%d errors\n", len(rep.Errors))
	for _, e := range rep.Errors {
		hard := ""
		if e.Hard {
			hard = " (hard negative)"
		}
		fmt.Fprintf(w, "\n%s %s %s%s\n", strings.ToUpper(e.Kind), e.Rule, e.Passage, hard)
		if e.Title != "" {
			fmt.Fprintf(w, "\ttitle: %s\n", e.Title)
		}
		for _, m := range e.Matches {
			fmt.Fprintf(w, "\tmatched %q (%s %d-%d) in: %s\n", m.Text, m.Field, m.Start, m.End, m.Snippet)
		}
		if e.Text != "" {
			fmt.Fprintf(w, "\ttext: %s\n", strings.ReplaceAll(e.Text, "\n\n", " ¶ "))
		}
	}
}
