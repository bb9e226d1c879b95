"""The machine description and matmul peak that speed figures carry beside them."""

import torch

from medlm.lm.hardware import machine_info, matmul_peak


def test_machine_info_names_cpu_threads_and_torch_version() -> None:
    info = machine_info()
    assert info.cpu_model
    assert info.threads == torch.get_num_threads()
    assert info.torch_version == torch.__version__
    assert info.cpu_model in info.key and info.torch_version in info.key


def test_matmul_peak_is_a_positive_rate_for_small_shapes() -> None:
    rate = matmul_peak(torch.float32, shapes=((64, 64, 64),), repeats=1)
    assert rate > 1e6  # even a slow CPU does a 64^3 matmul at over a MFLOP/s
