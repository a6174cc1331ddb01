"""Make sphinx-exercise's ``hide_solutions`` work with gated solutions (code cells inside).

sphinx-exercise 1.x leaves the solutions out of the HTML when ``hide_solutions`` is true, but for
a *gated* solution (```` ```{solution-start} ```` ... ```` ```{solution-end} ````, the form that
can hold notebook code cells) it drops only the start directive: the cells in between stay on the
page and the orphaned end marker crashes the HTML writer ("departing unknown node type:
solution_end_node").  Upstream: executablebooks/sphinx-exercise issue 89 (open at the time of
writing).  Remove this extension when a release fixes it; tests/test_build_book.py will tell.

With ``hide_solutions`` true, this extension lets sphinx-exercise's own ``solution-start``
directive run (it records the start for its structure check) and leaves a marker in its place; a
transform, run after sphinx-exercise's check and before it would merge the gated nodes, then
deletes everything from the marker to the matching ``solution_end_node``: the solution's prose,
its maths and its code cells.  With ``hide_solutions`` false it changes nothing.
"""
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class hidden_solution_start(nodes.Element):
    """Where a hidden gated solution starts (removed before any writer sees it)."""


class SolutionStart(SolutionStartDirective):
    def run(self):
        result = super().run()
        if self.env.app.config.hide_solutions:
            marker = hidden_solution_start()
            marker["target_label"] = self.arguments[0]
            return [marker]
        return result


class RemoveHiddenGatedSolutions(SphinxTransform):
    # sphinx-exercise: CheckGatedDirectives has priority 1, MergeGatedSolutions 10.
    default_priority = 5

    def apply(self):
        for start in list(self.document.findall(hidden_solution_start)):
            parent = start.parent
            first = parent.index(start)
            for last in range(first + 1, len(parent)):
                if isinstance(parent[last], solution_end_node):
                    break
            else:
                raise ExtensionError(
                    f"{self.env.docname}: no solution-end after the solution-start for "
                    f"{start['target_label']!r} at the same level (a heading inside a solution?)")
            del parent[first:last + 1]


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", SolutionStart, override=True)
    app.add_transform(RemoveHiddenGatedSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
