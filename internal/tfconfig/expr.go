package tfconfig

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// attr returns the attribute name of body (native or JSON), or nil.
func attr(body hcl.Body, name string) *hcl.Attribute {
	content, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	if content == nil {
		return nil
	}
	return content.Attributes[name]
}

// literalAttr returns the value of a string attribute that needs no
// variables (module source, provider alias).
func literalAttr(body hcl.Body, name string) (string, bool) {
	a := attr(body, name)
	if a == nil {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		return "", false
	}
	return v.AsString(), true
}

// traversalAttr reads an attribute holding an address (moved's from and
// to): a traversal in native syntax, a string in JSON.
func traversalAttr(body hcl.Body, name string) (Address, error) {
	a := attr(body, name)
	if a == nil {
		return Address{}, fmt.Errorf("no %s", name)
	}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		return Address{}, fmt.Errorf("%s is not an address", name)
	}
	return ParseAddress(traversalString(tr))
}

// traversalString renders a traversal as an address string.
func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for _, t := range tr {
		switch t := t.(type) {
		case hcl.TraverseRoot:
			b.WriteString(t.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + t.Name)
		case hcl.TraverseIndex:
			switch {
			case t.Key.IsNull() || !t.Key.IsKnown():
				b.WriteString("[0]")
			case t.Key.Type().Equals(cty.String):
				b.WriteString("[" + strconv.Quote(t.Key.AsString()) + "]")
			case t.Key.Type().Equals(cty.Number):
				b.WriteString("[" + t.Key.AsBigFloat().Text('f', 0) + "]")
			default:
				b.WriteString("[0]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[0]")
		}
	}
	return b.String()
}
