from django import forms

from .git import check_branch, check_url
from .models import Repository

MAX_SECRET = 20_000  # a token is short; an SSH key a few kB


class RepositoryForm(forms.ModelForm):
    """The link: where, which branch and folder, in which format, and how to sign in.

    The secret is write-only: left empty, the stored one stays; it is never shown again.
    """

    secret = forms.CharField(
        label="Token or deploy key",
        required=False,
        max_length=MAX_SECRET,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="A token with read and write rights, or an SSH private key. Stored encrypted; "
        "left empty, the stored one is kept.",
    )

    class Meta:
        model = Repository
        fields = ["url", "branch", "folder", "format", "credential_kind", "known_hosts"]
        labels = {"url": "Repository URL", "credential_kind": "Sign in with"}
        widgets = {"known_hosts": forms.Textarea(attrs={"rows": 2, "autocomplete": "off"})}

    def clean_url(self) -> str:
        try:
            return check_url(self.cleaned_data["url"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_branch(self) -> str:
        try:
            return check_branch(self.cleaned_data["branch"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_folder(self) -> str:
        folder = self.cleaned_data["folder"].strip().strip("/")
        parts = folder.split("/") if folder else []
        if any(p in {"", ".", ".."} or p.startswith("-") for p in parts) or "\\" in folder:
            raise forms.ValidationError("A folder inside the repository, such as docs/adr.")
        return folder

    def clean(self):
        data = super().clean()
        kind = data.get("credential_kind")
        secret = (data.get("secret") or "").strip()
        has_one = bool(self.instance.pk and self.instance.credential)
        same_kind = self.instance.credential_kind == kind
        if (
            kind
            and kind != Repository.Credential.NONE
            and not secret
            and not (has_one and same_kind)
        ):
            self.add_error("secret", "Give the token or deploy key.")
        if kind == Repository.Credential.SSH_KEY and secret and "PRIVATE KEY" not in secret:
            self.add_error("secret", "That is not an SSH private key (-----BEGIN ... PRIVATE KEY).")
        return data

    def clean_known_hosts(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["known_hosts"].splitlines()]
        lines = [line for line in lines if line and not line.startswith("#")]
        # host, key type, key: what ssh-keyscan prints and ssh reads
        if any(len(line.split()) < 3 for line in lines):
            raise forms.ValidationError(
                "One known_hosts line per key: host, key type and key, as ssh-keyscan prints them."
            )
        return "\n".join(lines)

    def save(self, commit: bool = True) -> Repository:
        repo = super().save(commit=False)
        if "url" in self.changed_data and "known_hosts" not in self.changed_data:
            repo.known_hosts = ""  # another server: its key is learnt on the first sync
        secret = (self.cleaned_data.get("secret") or "").strip()
        if repo.credential_kind == Repository.Credential.NONE:
            repo.set_credential(Repository.Credential.NONE, "")
        elif secret:
            repo.set_credential(repo.credential_kind, secret)
        if commit:
            repo.save()
        return repo
