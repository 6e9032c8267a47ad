from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Admin, User


class JanusUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class JanusUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class AdminInline(admin.StackedInline):
    model = Admin
    can_delete = True
    extra = 0
    max_num = 1
    verbose_name = _("admin level")
    verbose_name_plural = _("admin level")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "admin_level_display",
        "is_staff",
        "is_active",
        "last_login",
        "date_joined",
    ]
    list_filter = [
        "admin_profile__admin_level",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
    search_fields = ["username", "email", "first_name", "last_name"]
    date_hierarchy = "date_joined"
    ordering = ["username"]
    list_select_related = ["admin_profile"]
    readonly_fields = ["last_login", "date_joined"]
    form = JanusUserChangeForm
    add_form = JanusUserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [AdminInline]

    @admin.display(description=_("admin level"), ordering="admin_profile__admin_level")
    def admin_level_display(self, obj):
        profile = getattr(obj, "admin_profile", None)
        return profile.get_admin_level_display() if profile else "-"


@admin.register(Admin)
class AdminAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "admin_level"]
    list_filter = ["admin_level"]
    search_fields = ["user__username", "user__email"]
    ordering = ["user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email
