#!/bin/bash
# Issue 4, languages: with LANG=ru_RU.UTF-8, `popview --demo` speaks
# Russian — the status line, the hint line, the help (?) with every
# action's sentence, the sort order's name (o), the mark notice (d) and the
# quit question (q), explain mode's notes and the
# state's reminder (e, then the transcript t), the console's list of
# commands (: then ?), the inspector (i) — while the protocol itself (USER,
# RETR, +OK, state names) stays as it is on the wire; with LANG=C.UTF-8 the
# same screens are English.  popview --help, a usage error and a config
# file's error are Russian too, with option and setting names as typed.
#
# Needs the ru_RU.UTF-8 locale (.ci/install-deps generates it); skipped
# (77) only when it is not installed and cannot be generated here.
#   test_russian.sh
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"

have_ru() { locale -a 2>/dev/null | grep -qix 'ru_RU.utf-\?8'; }
if ! have_ru && [ "$(id -u)" -eq 0 ] && [ -w /etc/locale.gen ] && command -v locale-gen >/dev/null; then
    sed -i 's/^# *\(ru_RU.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -qx 'ru_RU.UTF-8 UTF-8' /etc/locale.gen || echo 'ru_RU.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null 2>&1
fi
if ! have_ru; then
    echo "the ru_RU.UTF-8 locale is not installed and cannot be generated here: skipped"
    exit 77
fi

# --- Russian ------------------------------------------------------------------------
tui_start env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ru_RU.UTF-8 "$POPVIEW" --demo
wait_for "28 писем"                         # the status line, plural form for 28
wait_for "Things to try in this demo mailbox" # the demo mailbox itself stays English
screen | grep -qF "28 msgs" && fail "the English status line is shown"

# The hint line at the top names the actions in Russian; the key names
# stay as key.ACTION reads them.
screen | head -n 1 | grep -qF "q:Выход" || fail "the hint line is not in Russian"
screen | head -n 1 | grep -qF "d:Пометить" || fail "the hint line does not name d in Russian"

keys '?'
wait_for "Клавиши: список писем"
wait_for "закрывает справку"
# Each action's sentence, with the protocol's words kept.
wait_for "пометить письмо для удаления (DELE; до QUIT"
wait_for "снять пометку с письма (RSET, затем снова DELE"
screen | grep -qF "mark the message for deletion" && fail "an English action text in the Russian help"
keys q
wait_gone "закрывает справку"

# o: the sort order's name, on the notice line and the status line.
keys o
wait_for "сортировка: дата"
wait_for "по: дата"
keys o o o o
wait_for "сортировка: номер"

# d: the mailbox's own notice once the server accepted DELE; q then asks
# in Russian with the plural form for 1; u takes the mark back.
keys g d
wait_for "письмо 1 помечено для удаления (удалится при QUIT)"
keys q
wait_for "Помечено 1 письмо ("
wait_for "Выйти и дать серверу удалить его сейчас (QUIT)?"
wait_for "[n] нет, продолжить просмотр"
keys n
wait_gone "Выйти и дать серверу"
keys g u
wait_for "с письма 1 пометка снята"

# e: the state's reminder above the status line, in Russian, with the
# protocol's own words kept.
keys e
wait_for "TRANSACTION: вход выполнен, ящик заблокирован: STAT, LIST"
wait_for "режим пояснений: заметка под каждой командой"
# t: the transcript with a note under each command and reply.
keys t
wait_for "Протокол POP3"
keys T g
wait_for "сервер готов"                    # the greeting's note
wait_for "(RFC 1939, раздел"
screen | grep -qF "popview demo POP3 server ready" || fail "the server's own words are not shown as sent"
keys q
wait_gone "сервер готов"
keys t
wait_gone "Протокол POP3"

# : then ?: the commands valid now, explained in Russian.
keys :
keys '?'
wait_for "Команды, которые можно набрать в состоянии TRANSACTION"
wait_for "RETR номер-письма"
wait_for "спрашивает письмо целиком (RFC 1939, раздел 5)"
keys Escape q
wait_gone "Команды, которые можно набрать"

# i: the inspector's headings and words.
keys i
wait_for "Что за сервер"
wait_for "Возможности (CAPA, RFC 2449)"
wait_for "можно отправлять несколько команд, не дожидаясь ответа на каждую"
keys q
wait_gone "Что за сервер"

# A message in the pager: the attachment list's heading is translated,
# and the pager still finds the list: s counts one attachment to save.
keys 1 3 Enter Enter
wait_for "Вложения:"
wait_for "budget-notes.txt"
screen | grep -qF "письмо 13" || fail "the pager's status line does not name message 13 in Russian"
keys s
wait_for "3 вложения):"                   # the plural form for 3
wait_for "Esc — отмена."
keys Escape
keys q

keys x
wait_for "POPVIEW-EXIT=0"

# --- English with LANG=C.UTF-8 ----------------------------------------------------------
tui_start env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 "$POPVIEW" --demo
wait_for "28 msgs"
keys '?'
wait_for "Keys of the index (q or ? closes this help)"
# The help holds no mail (the demo has Russian messages): no Cyrillic at all.
screen | grep -qP "\p{Cyrillic}" && fail "Russian text in the help with LANG=C.UTF-8"
keys q
keys e
wait_for "TRANSACTION: logged in, the mailbox is locked: STAT, LIST"
keys :
keys '?'
wait_for "Commands you can type in the TRANSACTION state"
keys Escape q
wait_gone "Commands you can type"
# The reminder, status and notice lines at the bottom.
screen | tail -n 4 | grep -qP "\p{Cyrillic}" && fail "Russian text on the status lines with LANG=C.UTF-8"
keys x
wait_for "POPVIEW-EXIT=0"

# --- the command line -------------------------------------------------------------------
# --help is translated as a whole; the option names and the URL forms stay.
help_ru=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ru_RU.UTF-8 "$POPVIEW" --help)
grep -qF "Использование: popview [параметры] pop3s://[пользователь@]сервер[:порт]" <<<"$help_ru" ||
    fail "--help is not in Russian with LANG=ru_RU.UTF-8"
grep -qF -- "--no-cache          не читать и не записывать локальный кэш" <<<"$help_ru" ||
    fail "--help does not describe --no-cache in Russian"
grep -qF "Код завершения: 0 — успех" <<<"$help_ru" || fail "--help's exit codes are not in Russian"
help_en=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 "$POPVIEW" --help)
[ "$(head -n 1 <<<"$help_en")" = "Usage: popview [options] pop3s://[user@]host[:port]" ] ||
    fail "--help is not English with LANG=C.UTF-8"
grep -qP "\p{Cyrillic}" <<<"$help_en" && fail "Russian text in --help with LANG=C.UTF-8"

# A usage error and a config file's error: Russian sentences, while the
# "file:line:" prefix and the option and setting names stay as typed.
err_ru=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ru_RU.UTF-8 "$POPVIEW" --bogus 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "an unknown option exits with $rc, not 1"
grep -qF "неизвестный или неоднозначный параметр «--bogus»; см. popview --help" <<<"$err_ru" ||
    fail "the usage error is not in Russian: $err_ru"
conf=$(mktemp -d)
printf '[ui]\nsort = date\ntimeout = 30\n' >"$conf/config"
err_ru=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=ru_RU.UTF-8 "$POPVIEW" --config "$conf/config" --summary 2>&1)
grep -qF "config:3: место «timeout» — в разделе [account ИМЯ], а не в [ui]" <<<"$err_ru" ||
    fail "the config error is not in Russian with its file:line prefix: $err_ru"
rm -rf "$conf"

finish
