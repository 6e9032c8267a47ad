"""The client address: REMOTE_ADDR unless trusted proxies say otherwise."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import reverse

from auditlog.checks import check_settings
from auditlog.conf import trusted_proxies
from auditlog.context import client_ip
from auditlog.models import SecurityAction, SecurityEvent


def request(remote="203.0.113.9", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


class TestClientIP:
    def test_client_ip_is_remote_addr_by_default(self):
        assert client_ip(request()) == "203.0.113.9"

    def test_client_ip_ignores_a_forged_header_when_no_proxy_is_trusted(self):
        assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"

    @override_settings(JANUS_TRUSTED_PROXIES=1)
    def test_client_ip_takes_the_entry_the_one_trusted_proxy_added(self):
        forged = request(remote="10.0.0.2", forwarded="1.2.3.4, 198.51.100.7")
        assert client_ip(forged) == "198.51.100.7"

    @override_settings(JANUS_TRUSTED_PROXIES=2)
    def test_client_ip_skips_exactly_the_trusted_hops(self):
        forged = request(remote="10.0.0.2", forwarded="1.2.3.4, 198.51.100.7, 10.0.0.1")
        assert client_ip(forged) == "198.51.100.7"

    @override_settings(JANUS_TRUSTED_PROXIES=2)
    def test_client_ip_uses_the_first_hop_when_fewer_proxies_forwarded(self):
        assert client_ip(request(remote="10.0.0.2", forwarded="198.51.100.7")) == (
            "198.51.100.7"
        )

    @override_settings(JANUS_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_client_ip_walks_past_listed_proxies_only(self):
        forged = request(remote="10.0.0.2", forwarded="1.2.3.4, 198.51.100.7, 10.1.1.1")
        assert client_ip(forged) == "198.51.100.7"

    @override_settings(JANUS_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_client_ip_ignores_the_header_from_a_peer_that_is_no_proxy(self):
        assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"

    @override_settings(JANUS_TRUSTED_PROXIES=1)
    def test_client_ip_falls_back_to_the_proxy_for_an_unreadable_hop(self):
        garbage = request(remote="10.0.0.2", forwarded="not-an-address")
        assert client_ip(garbage) == "10.0.0.2"

    @override_settings(JANUS_TRUSTED_PROXIES=1)
    def test_client_ip_reads_ports_and_brackets(self):
        assert client_ip(request(remote="10.0.0.2", forwarded="[2001:db8::5]:443")) == (
            "2001:db8::5"
        )

    def test_client_ip_is_none_without_remote_addr(self):
        assert client_ip(request(remote="")) is None


class TestTrustedProxiesSetting:
    @override_settings(JANUS_TRUSTED_PROXIES=["2"])
    def test_trusted_proxies_reads_a_number_from_the_environment(self):
        assert trusted_proxies() == 2

    @override_settings(JANUS_TRUSTED_PROXIES=["10.0.0.0/8", "192.0.2.7"])
    def test_trusted_proxies_reads_networks(self):
        assert [str(net) for net in trusted_proxies()] == ["10.0.0.0/8", "192.0.2.7/32"]

    @override_settings(JANUS_TRUSTED_PROXIES=["proxy.example"])
    def test_trusted_proxies_refuses_a_name(self):
        with pytest.raises(ImproperlyConfigured):
            trusted_proxies()

    @override_settings(JANUS_TRUSTED_PROXIES=["proxy.example"])
    def test_system_check_reports_bad_trusted_proxies(self):
        assert "auditlog.E001" in [error.id for error in check_settings()]

    def test_system_check_is_clean_with_the_project_settings(self):
        assert check_settings() == []


@pytest.mark.django_db
def test_forged_header_does_not_change_the_recorded_address(client):
    client.post(
        reverse("admin:login"),
        {"username": "mallory", "password": "x"},
        REMOTE_ADDR="198.51.100.20",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    event = SecurityEvent.objects.get(action=SecurityAction.LOGIN_FAILED)
    assert event.ip_address == "198.51.100.20"


@pytest.mark.django_db
@override_settings(JANUS_TRUSTED_PROXIES=1)
def test_trusted_proxy_header_gives_the_recorded_address(client):
    client.post(
        reverse("admin:login"),
        {"username": "mallory", "password": "x"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.21",
    )
    event = SecurityEvent.objects.get(action=SecurityAction.LOGIN_FAILED)
    assert event.ip_address == "198.51.100.21"
