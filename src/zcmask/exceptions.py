"""Exit codes and the exception family of zcmask.

Each exception carries the exit code the command line returns for it and a
zh-CN message that tells the user what to do. One handler in :mod:`zcmask.cli`
maps them; nothing else calls :func:`sys.exit`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status of the ``zcmask`` command, in one table.

    ========================  ====  ===============================================
    name                      code  meaning
    ========================  ====  ===============================================
    ok                        0     all inputs processed; check/audit/validate clean
    issues_found              1     check/validate found an error-severity issue,
                                    or audit found something still visible
    bad_args                  2     usage error: unknown flag, bad value, no name,
                                    or an identity too short to match safely
                                    (``short_identity``)
    input_file                3     an input is missing, unreadable, corrupt or
                                    encrypted (mask writes every other file); a
                                    PDF that MuPDF had to repair (``repaired_file``)
    output_file               4     the output folder cannot be written, the disk
                                    is full (``disk_full``; the file's partial
                                    pages are removed), or an output would
                                    overwrite an input or a file zcmask did not
                                    write (``overwrite_user_file``)
    missing_dependency        5     a required package or model file is missing
    invalid_config            6     a profile, roster, application.yaml or notice
                                    rule file is invalid
    other_error               15    an unexpected internal error (a bug: report it)
    ctrl_c                    130   interrupted by the user (Ctrl+C)
    ========================  ====  ===============================================
    """

    ok = 0
    issues_found = 1
    bad_args = 2
    input_file = 3
    output_file = 4
    missing_dependency = 5
    invalid_config = 6
    other_error = 15
    ctrl_c = 130


class ZcmaskError(Exception):
    """Base of every error zcmask reports to a user.

    Attributes
    ----------
    code : str
        Stable English code, used in reports (``unreadable_file``, ...).
    exit_code : ExitCode
        What the command line returns when this error ends a run.
    message : str
        zh-CN text saying what went wrong and how to fix it.

    """

    code = "error"
    exit_code = ExitCode.other_error
    default_message = "发生未预期的内部错误，请将报告与命令行一并反馈给维护者。"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(self.message)


class BadArgsError(ZcmaskError):
    """A usage error: wrong flag or value."""

    code = "bad_args"
    exit_code = ExitCode.bad_args
    default_message = "命令参数有误，请用 zcmask --help 查看用法。"


class ShortIdentityError(BadArgsError):
    """A name, alias or unit too short to be matched safely (exit 2)."""

    code = "short_identity"
    default_message = "姓名或单位过短，无法可靠识别与遮盖，请填写完整后重试。"


class InputFileError(ZcmaskError):
    """An input file cannot be read as a document."""

    code = "unreadable_file"
    exit_code = ExitCode.input_file
    default_message = "文件无法读取（可能已损坏或不完整），请重新扫描或重新导出为 JPG 后再试。"


class EmptyFileError(InputFileError):
    code = "empty_file"
    default_message = "文件是空的（0 字节），请重新扫描或重新复制该文件。"


class UnsupportedFormatError(InputFileError):
    code = "unsupported_format"
    default_message = "不支持的文件格式，请将文件转换为 JPG 后再处理。"


class EncryptedPdfError(InputFileError):
    code = "encrypted_pdf"
    default_message = "PDF 已加密或设置了打开密码，请用密码打开后另存为不加密的 PDF，或直接导出为 JPG。"


class ImageTooLargeError(InputFileError):
    code = "image_too_large"
    default_message = "图片像素过多（超过安全上限），请缩小到 A4 200–300 dpi 左右后再处理。"


class OutputFileError(ZcmaskError):
    """The output cannot be written."""

    code = "output_file"
    exit_code = ExitCode.output_file
    default_message = "无法写入输出文件，请检查输出目录是否存在、可写且磁盘空间充足。"


class OverwriteInputError(OutputFileError):
    code = "overwrite_input"
    default_message = "输出目录会覆盖原始文件，请用 -o 指定一个与原件不同的空目录。"


class OverwriteUserFileError(OutputFileError):
    """An output would replace a file zcmask did not write (exit 4)."""

    code = "overwrite_user_file"
    default_message = "输出目录中已有同名文件且不是 zcmask 写的，为免覆盖已停止。请用 -o 指定一个空目录。"


class DiskFullError(OutputFileError):
    """The disk (or the user's quota) filled up while writing (exit 4)."""

    code = "disk_full"
    default_message = "磁盘空间已满，无法写入输出文件。请清理磁盘或换一个空间充足的输出目录后重新运行。"


class MissingDependencyError(ZcmaskError):
    code = "missing_dependency"
    exit_code = ExitCode.missing_dependency
    default_message = "缺少必要的软件包或模型文件，请按 README 重新安装 zcmask。"


class InvalidConfigError(ZcmaskError):
    code = "invalid_config"
    exit_code = ExitCode.invalid_config
    default_message = "配置文件（profile.yaml / application.yaml / 名单）格式有误，请对照 README 中的示例修改。"


class OcrEngineError(ZcmaskError):
    """The OCR engine crashed or timed out on a page."""

    code = "ocr_failed"
    exit_code = ExitCode.input_file
    default_message = "文字识别失败，请确认图片清晰、完整后重试。"
