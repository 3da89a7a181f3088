package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestClock_onlyWallClockReadsTimeNow keeps the promise of Clock's comment:
// outside tests, wallClock.Now is the only caller of time.Now in this
// package, so every schedule is evaluated against the provider's clock.
func TestClock_onlyWallClockReadsTimeNow(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			inWallClock := ok && fn.Name.Name == "Now" && fn.Recv != nil && len(fn.Recv.List) == 1 &&
				receiverName(fn.Recv.List[0].Type) == "wallClock"
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Now" {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "time" && !inWallClock {
					t.Errorf("%s calls time.Now; ask the provider's Clock instead", fset.Position(sel.Pos()))
				}
				return true
			})
		}
	}
}

// receiverName is the name of a receiver type expression.
func receiverName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
