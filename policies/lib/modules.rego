# Module trees (package rotation.lib.terraform; see terraform.rego), read the
# same way for both trees of the input:
#   "values"         planned_values.root_module or values.root_module: the
#                    children of a module are its child_modules, and each
#                    module carries its address (module.a["x"].module.b);
#   "configuration"  configuration.root_module: the children are
#                    module_calls[name].module, and the path (module.a.module.b,
#                    no instance keys) is built from the call names.
# Rego has no recursion, so _modules unrolls eight levels (cheap) and finds
# anything deeper with walk over what is left below the eighth.
package rotation.lib.terraform

# _modules(tree, root) lists the modules of the tree rooted at root, each as
# {"path": its module path ("" for the root), "module": the module object}.
_modules(tree, root) := array.concat(array.concat(array.concat(l0, l1), array.concat(l2, l3)), array.concat(array.concat(l4, l5), array.concat(array.concat(l6, l7), deeper))) if {
	l0 := [{"path": _module_path(tree, "", [], root), "module": root}]
	l1 := _child_modules(tree, l0)
	l2 := _child_modules(tree, l1)
	l3 := _child_modules(tree, l2)
	l4 := _child_modules(tree, l3)
	l5 := _child_modules(tree, l4)
	l6 := _child_modules(tree, l5)
	l7 := _child_modules(tree, l6)
	deeper := _deeper_modules(tree, l7)
}

# How a tree nests: under a module's `children`, each child is keyed (a list
# index or a call name) and the module is at `module` below the key. `walk`
# is the repeating step of a walk path below `children` (null: any key), and
# a walk path leads to a module when its length is `ends` modulo the step.
_trees := {
	"values": {"children": "child_modules", "module": [], "walk": [null, "child_modules"], "ends": 1},
	"configuration": {"children": "module_calls", "module": ["module"], "walk": [null, "module", "module_calls"], "ends": 2},
}

# The children of the modules of one level.
_child_modules(tree, level) := [{"path": _module_path(tree, parent.path, [key], m), "module": m} |
	t := _trees[tree]
	some parent in level
	some key, child in object.get(parent.module, t.children, [])
	m := object.get(child, t.module, null)
	is_object(m)
]

# Every module below the modules of level, at any depth.
_deeper_modules(tree, level) := [{"path": _module_path(tree, parent.path, keys, m), "module": m} |
	t := _trees[tree]
	n := count(t.walk)
	some parent in level
	walk(object.get(parent.module, t.children, []), [path, m])
	count(path) % n == t.ends
	every i, p in path {
		_walk_step(t.walk[i % n], p)
	}
	is_object(m)
	keys := [k | some i, k in path; t.walk[i % n] == null]
]

_walk_step(null, _)

_walk_step(key, key) if key != null

# _module_path(tree, parent, keys, m): the path of module m, reached from the
# module at path parent through the child keys.
_module_path("values", _, _, m) := object.get(m, "address", "")

_module_path("configuration", parent, keys, _) := trim_prefix(concat("", array.concat([parent], [sprintf(".module.%s", [k]) | some k in keys])), ".")
