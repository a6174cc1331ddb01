"""Launch buttons (Binder, Colab) that open the student notebooks, not the ones with solutions.

The publishing workflow (``.github/workflows/publish.yml``) pushes the student notebooks, the
handout made by ``coursetools/make_handout.py`` (notebooks at its root, with a ``requirements.txt``
that installs nnlib's wheel, which Binder reads), to the branch ``launch_notebooks_branch``.
sphinx-book-theme builds the launch links from one branch and one folder, the same as the
repository's *edit* button would use; this extension lets the two differ:

* the edit button keeps ``repository.branch`` / ``repository.path_to_book`` (``main``, ``book/``):
  sphinx-book-theme copies them into the page context at ``builder-inited``;
* after that (a later priority), the launch settings are pointed at ``launch_notebooks_branch``
  and ``launch_notebooks_path`` (the notebooks' folder on that branch, ``""`` for its root), which
  sphinx-book-theme reads when it makes each page's launch links.

Settings (``sphinx.config`` in ``book/_config.yml``): ``launch_notebooks_branch`` (empty: launch
the repository's own notebooks, sphinx-book-theme's default) and ``launch_notebooks_path``.
Without ``repository.url`` it does nothing.  tests/test_build_book.py checks both links.
"""


def point_launch_buttons_at_student_notebooks(app):
    options = app.config.html_theme_options
    branch = app.config.launch_notebooks_branch
    if not branch or not options.get("repository_url"):
        return
    options["repository_branch"] = branch
    options["path_to_docs"] = app.config.launch_notebooks_path


def setup(app):
    app.add_config_value("launch_notebooks_branch", "", "html", types=[str])
    app.add_config_value("launch_notebooks_path", "", "html", types=[str])
    # sphinx-book-theme reads the edit button's branch at builder-inited, priority 500.
    app.connect("builder-inited", point_launch_buttons_at_student_notebooks, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
