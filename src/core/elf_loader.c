/* placeholder: replaced by the implementation */
typedef int mmamp_placeholder_elf_loader;
