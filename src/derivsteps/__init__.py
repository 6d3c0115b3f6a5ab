"""derivsteps: symbolic differentiation that shows its work.

    import derivsteps
    d = derivsteps.differentiate("x^2 sin(x)", "x")
    d = d.with_verification(derivsteps.verify(d))  # SymPy checks the result
    print(derivsteps.to_text(d))                   # or to_latex, to_markdown; to_json gives a dict

Every public name is loaded on first use, so `import derivsteps` loads neither SymPy nor rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public API: name -> the module that defines it ("module:name" when it is published under another name). Loaded
# on first use so `import derivsteps` stays cheap: the parser brings lark, the engine nothing more, and only verify()
# and the checkers bring SymPy.
_EXPORTS = {
    # reading
    "parse": "language.parser",
    "parse_equation": "language.parser",
    # differentiating and the calculus built on it
    "differentiate": "calculus.derivative",
    "verify": "cas.verification",
    "gradient": "calculus.multivar",
    "hessian": "calculus.multivar",
    "evaluate_at": "calculus.at_point",
    "critical_points": "calculus.critical",
    "descend": "calculus.descent",
    "implicit_derivative": "calculus.implicit",
    # checking
    "equivalent": "cas.equivalence",
    "check_answer": "checking.answers",
    "check_antiderivative": "checking.answers",
    "equivalent_expressions": "checking.answers",
    "check_derivation": "checking.written",
    "read_answers": "checking.grading",
    "grade": "checking.grading:grade_rows",
    "summarize": "checking.grading",
    "load_questions": "checking.questions",
    "check_question": "checking.questions",
    "course_report": "checking.course",
    # rendering any result
    "to_text": "render.api",
    "to_latex": "render.api",
    "to_markdown": "render.api",
    "to_html": "render.api",
    "to_json": "render.api",
    # the result types
    "Parsed": "language.parser",
    "Equation": "language.parser",
    "Derivation": "core.derivation",
    "Step": "core.derivation",
    "Verification": "core.derivation",
    "Gradient": "calculus.multivar",
    "Hessian": "calculus.multivar",
    "Evaluation": "calculus.at_point",
    "Critical": "calculus.critical",
    "Descent": "calculus.descent",
    "Implicit": "calculus.implicit",
    "Equivalence": "cas.equivalence",
    "Verdict": "checking.answers",
    "WrittenReport": "checking.written",
    "AnswerRow": "checking.grading",
    "GradedRow": "checking.grading",
    "Summary": "checking.grading",
    "Question": "checking.questions",
    "QuestionSet": "checking.questions",
    "QuestionResult": "checking.questions",
    "CourseReport": "checking.course",
    # the vocabularies (each a StrEnum: its members are the strings the output shows)
    "Layer": "core.vocabulary",
    "Detail": "core.vocabulary",
    "Phase": "core.vocabulary",
    "StopReason": "core.vocabulary",
    "VERDICTS": "core.vocabulary",
    # the errors: DerivError is the base of all of them
    "DerivError": "core.errors",
    "InputError": "core.errors",
    "ParseError": "core.errors",
    "EquationError": "core.errors",
    "UnknownFunctionError": "core.errors",
    "UndefinedError": "core.errors",
    "LimitError": "core.errors",
    "CasLimitError": "core.errors",
    "UsageError": "core.errors",
    "EngineError": "core.errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # what a type checker and an editor see; tests/test_public_api.py keeps it equal to _EXPORTS
    from .calculus.at_point import Evaluation as Evaluation
    from .calculus.at_point import evaluate_at as evaluate_at
    from .calculus.critical import Critical as Critical
    from .calculus.critical import critical_points as critical_points
    from .calculus.derivative import differentiate as differentiate
    from .calculus.descent import Descent as Descent
    from .calculus.descent import descend as descend
    from .calculus.implicit import Implicit as Implicit
    from .calculus.implicit import implicit_derivative as implicit_derivative
    from .calculus.multivar import Gradient as Gradient
    from .calculus.multivar import Hessian as Hessian
    from .calculus.multivar import gradient as gradient
    from .calculus.multivar import hessian as hessian
    from .cas.equivalence import Equivalence as Equivalence
    from .cas.equivalence import equivalent as equivalent
    from .cas.verification import verify as verify
    from .checking.answers import (
        Verdict as Verdict,
    )
    from .checking.answers import (
        check_answer as check_answer,
    )
    from .checking.answers import (
        check_antiderivative as check_antiderivative,
    )
    from .checking.answers import (
        equivalent_expressions as equivalent_expressions,
    )
    from .checking.course import CourseReport as CourseReport
    from .checking.course import course_report as course_report
    from .checking.grading import (
        AnswerRow as AnswerRow,
    )
    from .checking.grading import (
        GradedRow as GradedRow,
    )
    from .checking.grading import (
        Summary as Summary,
    )
    from .checking.grading import grade_rows
    from .checking.grading import (
        read_answers as read_answers,
    )
    from .checking.grading import (
        summarize as summarize,
    )
    from .checking.questions import Question as Question
    from .checking.questions import QuestionResult as QuestionResult
    from .checking.questions import QuestionSet as QuestionSet
    from .checking.questions import check_question as check_question
    from .checking.questions import load_questions as load_questions
    from .checking.written import WrittenReport as WrittenReport
    from .checking.written import check_derivation as check_derivation
    from .core.derivation import Derivation as Derivation
    from .core.derivation import Step as Step
    from .core.derivation import Verification as Verification
    from .core.errors import (
        CasLimitError as CasLimitError,
    )
    from .core.errors import (
        DerivError as DerivError,
    )
    from .core.errors import (
        EngineError as EngineError,
    )
    from .core.errors import (
        EquationError as EquationError,
    )
    from .core.errors import (
        InputError as InputError,
    )
    from .core.errors import (
        LimitError as LimitError,
    )
    from .core.errors import (
        ParseError as ParseError,
    )
    from .core.errors import (
        UndefinedError as UndefinedError,
    )
    from .core.errors import (
        UnknownFunctionError as UnknownFunctionError,
    )
    from .core.errors import (
        UsageError as UsageError,
    )
    from .core.vocabulary import (
        VERDICTS as VERDICTS,
    )
    from .core.vocabulary import (
        Detail as Detail,
    )
    from .core.vocabulary import (
        Layer as Layer,
    )
    from .core.vocabulary import (
        Phase as Phase,
    )
    from .core.vocabulary import (
        StopReason as StopReason,
    )
    from .language.parser import (
        Equation as Equation,
    )
    from .language.parser import (
        Parsed as Parsed,
    )
    from .language.parser import (
        parse as parse,
    )
    from .language.parser import (
        parse_equation as parse_equation,
    )
    from .render.api import to_html as to_html
    from .render.api import to_json as to_json
    from .render.api import to_latex as to_latex
    from .render.api import to_markdown as to_markdown
    from .render.api import to_text as to_text

    grade = grade_rows


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        module, _, attribute = _EXPORTS[name].partition(":")
        value = getattr(import_module(f".{module}", __name__), attribute or name)
        globals()[name] = value  # the next lookup finds it without coming here
        return value
    raise AttributeError(f"module 'derivsteps' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
