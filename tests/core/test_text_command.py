"""``xaso text convert``, through call_command and through the real console script."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

XASO = Path(sys.executable).with_name("xaso")

TCVN3_PASTE = "Céng hßa x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\nTr\xadëng th«n\n"
VNI_PASTE = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\n"
UNICODE = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\n"


def run(*args, stdin=""):
    out = io.StringIO()
    call_command("text", "convert", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


def test_convert_stdin_tcvn3():
    assert run("--from", "tcvn3", stdin=TCVN3_PASTE) == UNICODE + "Trưởng thôn\n"


def test_convert_stdin_vni_and_auto():
    assert run("--from", "vni", stdin=VNI_PASTE) == UNICODE
    assert run("--from", "auto", stdin=VNI_PASTE) == UNICODE
    assert run(stdin=TCVN3_PASTE) == UNICODE + "Trưởng thôn\n"  # auto is the default


def test_unicode_input_is_unchanged():
    assert run(stdin=UNICODE) == UNICODE


def test_convert_file(tmp_path):
    path = tmp_path / "cu.txt"
    path.write_bytes(b"\xef\xbb\xbf" + VNI_PASTE.encode("utf-8"))  # with a BOM, as Notepad saves
    assert run("--from", "vni", str(path)) == UNICODE


def test_bad_from():
    with pytest.raises(CommandError) as caught:
        run("--from", "viqr", stdin=TCVN3_PASTE)
    assert (
        str(caught.value) == "Bảng mã nguồn «viqr» không hợp lệ: chọn một trong auto, tcvn3, vni."
    )
    assert caught.value.returncode == 2


def test_missing_file(tmp_path):
    path = tmp_path / "khong-co.txt"
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert str(caught.value) == f"Không đọc được tệp «{path}»: không có tệp này."
    assert caught.value.returncode == 2


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path))
    assert str(caught.value) == f"Không đọc được tệp «{tmp_path}»: đây là thư mục, không phải tệp."
    assert caught.value.returncode == 2


def test_file_not_utf8(tmp_path):
    path = tmp_path / "cu.txt"
    path.write_bytes(b"C\xe9ng h\xdfa")  # the raw legacy bytes, not a UTF-8 paste
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert str(caught.value) == "Dữ liệu vào không phải văn bản UTF-8 (byte lỗi ở vị trí 1)."
    assert caught.value.returncode == 2


def test_missing_subcommand():
    with pytest.raises(CommandError) as caught:
        call_command("text", stdout=io.StringIO())
    assert str(caught.value) == (
        "Thiếu lệnh con: dùng «xaso text convert --from auto|tcvn3|vni [TỆP]»."
    )
    assert caught.value.returncode == 2


def console(*args, stdin=b""):
    return subprocess.run(
        [str(XASO), "text", "convert", *args], input=stdin, capture_output=True, timeout=60
    )


def test_console_script_reads_stdin_and_writes_utf8():
    done = console("--from", "tcvn3", stdin=TCVN3_PASTE.encode("utf-8"))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == UNICODE + "Trưởng thôn\n"
    assert done.stderr == b""


def test_console_script_auto_vni():
    done = console(stdin=VNI_PASTE.encode("utf-8"))
    assert (done.returncode, done.stdout.decode("utf-8")) == (0, UNICODE)


def test_console_script_bad_from_exits_2():
    done = console("--from", "abc", stdin=b"x")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode("utf-8") == (
        "CommandError: Bảng mã nguồn «abc» không hợp lệ: chọn một trong auto, tcvn3, vni.\n"
    )


def test_console_script_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "khong-co.txt"
    done = console(str(path))
    assert done.returncode == 2
    assert done.stderr.decode("utf-8") == (
        f"CommandError: Không đọc được tệp «{path}»: không có tệp này.\n"
    )
