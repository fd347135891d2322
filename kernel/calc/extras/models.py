"""Inputs of the second stage (defined in ``zhkh.kernel.calc.inputs``, next to the situation)."""

from zhkh.kernel.calc.inputs import Absence, BenefitAssignment, ExtrasInput, Incident

__all__ = ["Absence", "BenefitAssignment", "ExtrasInput", "Incident"]
