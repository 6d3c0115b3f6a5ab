"""
The regression lecture, end to end
==================================

Every number of the lecture's linear regression comes out of derivsteps: the loss
loss(s, b) = 1/2 Σ_i (s a_i + b - h_i)^2 on the three data points of examples/lecture_data.csv (a = 0, 2, 4;
h = 30, 40, 50), its value (Question 3), its gradient through the sum (Question 5) and at (1, 0) with one step of
gradient descent (Question 6), and the closed-form minimum, first in means (Question 7), then on the data (Question 8).
The last part runs the same loss on examples/large_data.csv (1,000 points).
"""

from pathlib import Path

from derivsteps import critical_points, descend, evaluate_at, gradient
from derivsteps.calculus.at_point import check_value, gradient_at
from derivsteps.core.tree import number_value
from derivsteps.data.datasets import parse_data_options
from derivsteps.language.mathtext import to_text

HERE = Path(__file__).resolve().parent
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
DATA = parse_data_options([str(HERE / "lecture_data.csv")])


def heading(title: str) -> None:
    print(f"\n== {title} ==")


def point_words(values) -> str:
    return ", ".join(f"{to_text(var)} = {to_text(value)}" for var, value in values.items())


heading("the data")
for row in range(DATA.n):
    print(f"  i = {row + 1}: a_i = {to_text(DATA.value('a', row))}, h_i = {to_text(DATA.value('h', row))}")

heading("Question 3: the loss at s = 1, b = 0")
loss = evaluate_at(LOSS, "s=1,b=0", data=DATA)
(summed,) = loss.sums
print("  terms:", ", ".join(to_text(term) for term in summed.terms))
print(f"  {to_text(summed.sum)} = {to_text(summed.value)}")
print("  loss(1, 0) =", to_text(loss.result))
print("  checked against the sums written out:", check_value(loss).verified)

heading("Question 5: the gradient, differentiated through the sum")
grad = gradient(LOSS, ["s", "b"])
for var, component in zip(grad.vars, grad.components):
    print(f"  ∂loss/∂{to_text(var)} = {to_text(component.result)}")
    print("    rules:", ", ".join(dict.fromkeys(rule for line in component.lines() for rule in line.rules)))

heading("Question 6: the gradient at (1, 0) and one step with η = 0.01")
values = gradient_at(grad, "s=1,b=0", data=DATA)
statistics = {summed.sum: summed.value for value in values for summed in value.sums}
for total, value in statistics.items():
    print(f"  {to_text(total)} = {to_text(value)}")
print(f"  n = {DATA.n}")
print("  ∇loss(1, 0) = (" + ", ".join(to_text(value.result) for value in values) + ")")
step = descend(LOSS, "s=1,b=0", "0.01", data=DATA)
print(f"  after one step: {point_words(step.final)}, loss = {to_text(step.final_f)}")

heading("Question 7: the minimum in closed form, without data")
closed = critical_points(LOSS, ("s", "b"))
print("\n".join(("  " + line).rstrip() for line in str(closed).splitlines()))

heading("Question 8: the minimum on the lecture's data")
fitted = critical_points(LOSS, ("s", "b"), data=DATA)
for point in fitted.points:
    print(f"  {point_words(point.values)}: a {point.kind}")

heading("the same loss on examples/large_data.csv")
large = parse_data_options([str(HERE / "large_data.csv")])
fitted = critical_points(LOSS, ("s", "b"), data=large)
(best,) = fitted.points
print(f"  {large.n:,} points: {point_words(best.values)}, a {best.kind}")
print(
    "  that is about "
    + ", ".join(f"{to_text(var)} ≈ {float(number_value(value)):.4f}" for var, value in best.values.items())
)
print("  loss there:", to_text(evaluate_at(LOSS, dict(best.values), data=large).result))
