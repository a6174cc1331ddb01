"""Feedback on an exercise: checks a learner runs before handing in, with a clear message.

A graded exercise has hidden tests (they give the points) and a visible *check cell* that the
learner runs for feedback.  The check cell calls :func:`check` once per property::

    from nnlib.feedback import check
    check("my_feedforward(net.weights, net.biases, x) equals net.feedforward(x)",
          lambda: np.allclose(my_feedforward(net.weights, net.biases, x), net.feedforward(x)))

Each call prints one line and never raises, so a notebook still runs top to bottom when an
exercise is not answered yet:

* ``✓ <what>`` when the test returns a true value;
* ``✗ <what>`` when it returns a false value;
* ``… not answered yet: define <name> above`` when the test uses a name that is not defined
  (the answer cell still holds ``# YOUR CODE HERE``);
* ``✗ <what>: <Error>: <message>`` when the test raises.

It returns nothing, like ``print``, so a check cell shows only its lines.
Introduced in chapter 1 (the first graded exercise).
"""


def check(what, test):
    """Run ``test()`` (a function of no arguments) and print one line about ``what``.

    Returns ``None`` and never raises (except ``KeyboardInterrupt`` and the like, which are
    not errors of the answer).
    """
    try:
        passed = bool(test())
    except NameError as e:
        name = getattr(e, "name", None) or str(e)
        print(f"… not answered yet: define {name} above ({what})")
        return
    except Exception as e:     # the learner's code may raise anything: report it, go on
        message = str(e).strip().splitlines()
        detail = f": {message[0]}" if message else ""
        print(f"✗ {what}: {type(e).__name__}{detail}")
        return
    print(f"{'✓' if passed else '✗'} {what}")
