/**
 * `clawfix completion [bash|zsh]`: a script that completes clawfix's commands, options and choices.
 * At each TAB the shell runs `clawfix --get-yargs-completions <words so far>` (yargs answers from the
 * same command definitions --help shows, so the two never disagree). The script sets SHELL for that
 * call, since yargs picks its answer format (plain names, or zsh's `name:description`) from it.
 */
export type Shell = 'bash' | 'zsh';

const BASH = `###-begin-clawfix-completions-###
# bash completion for clawfix. Install: clawfix completion bash >> ~/.bashrc
# (or, for this session only: source <(clawfix completion bash)).
_clawfix_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words IFS=$'\\n'
  words=$(SHELL=bash clawfix --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}
complete -o bashdefault -o default -F _clawfix_completions clawfix
###-end-clawfix-completions-###
`;

const ZSH = `#compdef clawfix
###-begin-clawfix-completions-###
# zsh completion for clawfix. Install: clawfix completion zsh >> ~/.zshrc
# (after compinit), or save it as _clawfix in a directory on $fpath.
_clawfix_completions() {
  local -a reply
  local IFS=$'\\n'
  reply=($(SHELL=zsh clawfix --get-yargs-completions "\${words[@]:0:CURRENT}" 2>/dev/null))
  if (( \${#reply} )); then
    _describe 'clawfix' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _clawfix_completions "$@"
else
  compdef _clawfix_completions clawfix
fi
###-end-clawfix-completions-###
`;

export function completionScript(shell: Shell): string {
  return shell === 'zsh' ? ZSH : BASH;
}

/** The shell to write for when none is named: zsh when $SHELL says so, else bash. */
export function defaultShell(env: Readonly<Record<string, string | undefined>>): Shell {
  return /zsh/.test(env.SHELL ?? '') ? 'zsh' : 'bash';
}
