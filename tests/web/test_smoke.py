def test_login_and_inbox(client, auth):
    assert client.get("/").status_code == 302
    r = auth.login()
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 200
    assert "待办" in r.get_data(as_text=True)
